/**
 * Uploads into a session's workspace and downloads from it, as every host and the web UI see them: the size
 * limit (enforced by the server, told by the UI before it asks), its 413 and the rest of a refused upload, and a
 * download's shape, with the headers in which the container protocol sends the file's path and size.
 */
import { AppError } from './errors.js'

/** Largest file an upload may write into a workspace. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024

/** The 413 of an upload of `path` over `maxBytes`. */
export function uploadTooLarge(maxBytes: number, path: string): AppError {
  return new AppError(
    'request_too_large',
    `uploads are limited to ${Math.floor(maxBytes / 1024 / 1024)} MB; '${path.slice(0, 200)}' is larger`,
  )
}

/** How much of a refused upload is still read (and dropped) before the answer, at most. */
const DRAIN_MAX_BYTES = 8 * 1024 * 1024

/**
 * Reads what is left of a refused upload and drops it, then lets go of it: an answer sent before the whole
 * request was read can break the connection it goes back on (the 413 lost, or the next request on it stuck). A
 * body longer than `maxBytes` more is cancelled instead.
 */
export async function dropTheRest(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  maxBytes = DRAIN_MAX_BYTES,
): Promise<void> {
  let dropped = 0
  try {
    for (;;) {
      const next = await reader.read()
      if (next.done) return
      dropped += next.value.byteLength
      if (dropped > maxBytes) return void (await reader.cancel())
    }
  } catch {
    // The sender went away: nothing left to read.
  }
}

/**
 * Headers of the container's `GET /workspace/download/<path>`: the file's path in the workspace (URL-encoded)
 * and its size (a proxy on the way may drop `content-length` of a streamed body).
 */
export const DOWNLOAD_HEADERS = { path: 'x-workspace-path', size: 'x-workspace-size' } as const

/** A file to download: its bytes, streamed, its size and its path relative to the workspace. */
export interface WorkspaceDownload {
  body: ReadableStream<Uint8Array>
  size: number
  path: string
}
