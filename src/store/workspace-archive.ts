/**
 * The whole workspace of a session as a zip archive, streamed: the files the workspace panel lists (so not
 * `.git` or `node_modules`), each read through the same path checks as a single download, compressed by
 * fflate as it goes. A file that vanished or points outside the workspace is left out, never followed.
 */
import { once } from 'node:events'
import { createReadStream } from 'node:fs'
import { PassThrough, Readable } from 'node:stream'
import { Zip, ZipDeflate } from 'fflate'
import { listWorkspaceFiles, workspaceFile } from './workspace-files.js'

/** At most this many files go into one archive (the panel's own limit). */
export const ARCHIVE_MAX_FILES = 5000

export function workspaceArchive(workspace: string): ReadableStream<Uint8Array> {
  const out = new PassThrough()
  let stopped = false
  out.on('close', () => {
    stopped = true
  })
  const zip = new Zip((err, chunk, final) => {
    if (err) return void out.destroy(err)
    out.write(chunk)
    if (final) out.end()
  })
  const fill = async () => {
    for (const entry of await listWorkspaceFiles(workspace, ARCHIVE_MAX_FILES)) {
      if (stopped) return
      const file = await workspaceFile(workspace, entry.path).catch(() => undefined)
      if (file === undefined) continue
      const item = new ZipDeflate(entry.path, { level: 6 })
      item.mtime = new Date(entry.mtime)
      zip.add(item)
      try {
        for await (const chunk of createReadStream(file.real)) {
          if (stopped) return
          item.push(chunk as Uint8Array)
          if (out.writableNeedDrain) await once(out, 'drain')
        }
      } catch {
        // It changed while being read: what was read stays, as the file's content so far.
      }
      item.push(new Uint8Array(0), true)
    }
    zip.end()
  }
  fill().catch((err) => out.destroy(err))
  return Readable.toWeb(out) as ReadableStream<Uint8Array>
}
