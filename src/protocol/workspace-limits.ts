/** Limits of a session's workspace that the server enforces and the web UI tells people before it asks. */

/** Largest file an upload may write into a workspace. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024
