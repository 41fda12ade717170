/**
 * `/workspace/*` of the container server: the session workspace as the agent sees it where the workspace lives
 * only inside the container (Cloudflare). The snapshot feeds the agent's file-change events; the files feed the
 * REST API and the UI's file browser, which also uploads into it and downloads from it here, through the same
 * store functions the Node host calls on its own folders:
 * - `GET /snapshot`: `{files: {path: fingerprint}, diffs: {path: FileDiff}}` (see protocol/workspace-snapshot.ts)
 * - `GET /files`, `GET /files/<path>`: the file list, one file's content
 * - `PUT /files/<path>[?replace=true]`: the body written as that file (201 `{path, size}`; 409 when it is there
 *   and not to be replaced, 413 over MAX_UPLOAD_BYTES)
 * - `GET /download`: the whole workspace as a zip, streamed
 * - `GET /download/<path>`: one file's bytes, with its path in the workspace and its size in DOWNLOAD_HEADERS
 */
import { type Context, Hono } from 'hono'
import { AppError } from '../../protocol/errors.js'
import { snapshotBody } from '../../protocol/workspace-snapshot.js'
import { DOWNLOAD_HEADERS, dropTheRest } from '../../protocol/workspace-transfers.js'
import { workspaceArchive } from '../../store/workspace-archive.js'
import {
  listWorkspaceFiles,
  readWorkspaceFile,
  workspaceDownload,
  writeWorkspaceFile,
} from '../../store/workspace-files.js'
import { WorkspaceTracker } from '../../store/workspace-tracker.js'

/** The workspace path after `/<segment>/` in the request's path, URL-decoded. */
function pathAfter(c: Context, segment: string): string {
  const prefix = `/${segment}/`
  const raw = c.req.path.slice(c.req.path.indexOf(prefix) + prefix.length)
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new AppError('invalid_request_error', 'the file path is not valid URL encoding')
  }
}

/** The request body, whose cancelling (an upload refused half-way) reads the rest and drops it. */
function readToTheEnd(body: ReadableStream<Uint8Array> | null): ReadableStream<Uint8Array> | null {
  if (body === null) return null
  const reader = body.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await reader.read()
      if (next.done) controller.close()
      else controller.enqueue(next.value)
    },
    cancel: () => dropTheRest(reader),
  })
}

export function workspaceRoutes(workspaceDir: string): Hono {
  const app = new Hono()
  // The text of the workspace's small files as of the last snapshot, so the next one can say what changed.
  const tracker = new WorkspaceTracker(workspaceDir)
  app.get('/snapshot', async (c) => c.json(snapshotBody(await tracker.snapshot())))
  app.get('/files', async (c) => c.json({ files: await listWorkspaceFiles(workspaceDir) }))
  app.get('/files/*', async (c) => c.json(await readWorkspaceFile(workspaceDir, pathAfter(c, 'files'))))
  app.put('/files/*', async (c) => {
    const replace = c.req.query('replace') === 'true'
    const body = readToTheEnd(c.req.raw.body)
    return c.json(await writeWorkspaceFile(workspaceDir, pathAfter(c, 'files'), body, { replace }), 201)
  })
  app.get('/download', (c) =>
    c.body(workspaceArchive(workspaceDir), 200, { 'content-type': 'application/zip' }),
  )
  app.get('/download/*', async (c) => {
    const file = await workspaceDownload(workspaceDir, pathAfter(c, 'download'))
    return c.body(file.body, 200, {
      'content-type': 'application/octet-stream',
      'content-length': String(file.size),
      [DOWNLOAD_HEADERS.path]: encodeURIComponent(file.path),
      [DOWNLOAD_HEADERS.size]: String(file.size),
    })
  })
  return app
}
