/**
 * Uploads into a session's workspace and downloads from it, as every host and the web UI see them: the size
 * limit (enforced by the server, told by the UI before it asks) and its 413, and a download's shape, with the
 * header in which the container protocol sends the file's path beside its bytes.
 */
import { AppError } from './errors.js'

/** Largest file an upload may write into a workspace. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024

/** The 413 of an upload over `maxBytes`, naming the file when it is known. */
export function uploadTooLarge(maxBytes: number, path?: string): AppError {
  const limit = `uploads are limited to ${Math.floor(maxBytes / 1024 / 1024)} MB`
  return new AppError(
    'request_too_large',
    path === undefined ? limit : `${limit}; '${path.slice(0, 200)}' is larger`,
  )
}

/** Header of the container's `GET /workspace/download/<path>`: the file's path in the workspace, URL-encoded. */
export const WORKSPACE_PATH_HEADER = 'x-workspace-path'

/** A file to download: its bytes, streamed, its size and its path relative to the workspace. */
export interface WorkspaceDownload {
  body: ReadableStream<Uint8Array>
  size: number
  path: string
}
