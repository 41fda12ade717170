/**
 * Where a session's container socket goes. Unix socket paths are limited to ~107 bytes on Linux, so a
 * `<runDir>/container.sock` that would be too long is replaced by a short path in the temp dir derived from
 * the run dir (stable, so a restarted container gets the same one).
 */
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const MAX_SOCKET_PATH_BYTES = 100

export function containerSocketPath(runDir: string): string {
  const preferred = join(runDir, 'container.sock')
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH_BYTES) return preferred
  const digest = createHash('sha256').update(runDir).digest('hex').slice(0, 16)
  return join(tmpdir(), `agent-router-${digest}.sock`)
}
