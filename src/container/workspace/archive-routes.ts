/**
 * `GET /archive` and `PUT /archive` of the container server: the workspace and Claude Code's transcripts as
 * one `.tar.gz` (workspace-archive.ts), for a host that keeps them while the container sleeps (Cloudflare:
 * the agent object stores it in R2 after each turn and puts it back when the container starts again).
 * `?maxBytes=` caps the files' uncompressed total on both ways (413 over it); `PUT ?transcripts=0` restores
 * the workspace only (the host knows the transcripts in it are older than the conversation).
 */
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { Hono } from 'hono'
import { AppError } from '../../protocol/errors.js'
import { type ArchiveRoots, packArchive, restoreArchive } from './workspace-archive.js'

/** Without `?maxBytes=`: what the Cloudflare host keeps by default (WORKSPACE_ARCHIVE_LIMIT). */
export const DEFAULT_ARCHIVE_MAX_BYTES = 500 * 1024 * 1024

/** Headers of a packed archive's answer. */
export const ARCHIVE_HEADERS = {
  files: 'x-archive-files',
  contentBytes: 'x-archive-content-bytes',
  redacted: 'x-archive-redacted',
  skipped: 'x-archive-skipped',
} as const

function maxBytesOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_ARCHIVE_MAX_BYTES
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 1)
    throw new AppError(
      'invalid_request_error',
      `maxBytes must be a positive whole number of bytes (got '${value}')`,
    )
  return n
}

export function archiveRoutes(roots: ArchiveRoots, secrets: readonly string[]): Hono {
  const app = new Hono()
  app.get('/', async (c) => {
    const packed = await packArchive(roots, { maxBytes: maxBytesOf(c.req.query('maxBytes')), secrets })
    const file = Readable.toWeb(createReadStream(packed.file)) as ReadableStream<Uint8Array>
    const reader = file.getReader()
    // The temp file goes once the body was read or dropped.
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read()
        if (done) {
          controller.close()
          await packed.dispose()
        } else controller.enqueue(value)
      },
      async cancel() {
        await reader.cancel().catch(() => {})
        await packed.dispose()
      },
    })
    return c.body(body, 200, {
      'content-type': 'application/gzip',
      'content-length': String(packed.bytes),
      [ARCHIVE_HEADERS.files]: String(packed.files),
      [ARCHIVE_HEADERS.contentBytes]: String(packed.contentBytes),
      [ARCHIVE_HEADERS.redacted]: String(packed.redacted),
      [ARCHIVE_HEADERS.skipped]: String(packed.skipped.length),
    })
  })
  app.put('/', async (c) => {
    const body = c.req.raw.body
    if (body === null)
      throw new AppError('invalid_request_error', 'PUT /archive needs the .tar.gz as its body')
    const restored = await restoreArchive(body, roots, {
      maxBytes: maxBytesOf(c.req.query('maxBytes')),
      transcripts: c.req.query('transcripts') !== '0',
    })
    return c.json(restored)
  })
  return app
}
