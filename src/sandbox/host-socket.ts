/**
 * Host-side unix sockets: those sandboxes reach (the router, the egress proxy) and those the host reaches a
 * container on. A path short enough for a socket, a fetch handler (a Hono app) served on it, and the removal
 * of what a sandbox left in the temp dir.
 */
import { createHash } from 'node:crypto'
import { existsSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs'
import type { Server } from 'node:http'
import type { Server as NetServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createAdaptorServer } from '@hono/node-server'

const MAX_SOCKET_PATH_BYTES = 100

/** `<dir>/<name>`, or a stable short path in the temp dir when that is too long for a unix socket. */
export function hostSocketPath(dir: string, name: string): string {
  const preferred = join(dir, name)
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH_BYTES) return preferred
  const digest = createHash('sha256').update(preferred).digest('hex').slice(0, 16)
  return join(tmpdir(), `agent-router-${digest}-${name}`)
}

/**
 * Where the host reaches a session's container server: `<runDir>/container.sock`, or a short path in the temp
 * dir (stable, so a restarted container gets the same one) when that is too long.
 */
export function containerSocketPath(runDir: string): string {
  return hostSocketPath(runDir, 'container.sock')
}

/**
 * Removes what a sandbox that has ended left at `path` (its socket, or the link to it), and nothing else. The
 * manager starts a session's next sandbox only once the last one has exited, so it is no successor's.
 */
export function removeSocketFile(path: string): void {
  try {
    const stat = lstatSync(path)
    if (stat.isSocket() || stat.isSymbolicLink()) unlinkSync(path)
  } catch {
    // not there
  }
}

export interface UnixSocketServer {
  socketPath: string
  close(): Promise<void>
}

/** Starts `server` on the unix socket `socketPath`: its directory made, a stale socket file replaced. */
export async function listenOnSocketPath(server: NetServer, socketPath: string): Promise<void> {
  mkdirSync(dirname(socketPath), { recursive: true })
  if (existsSync(socketPath)) unlinkSync(socketPath)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(socketPath, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

/** Serves `fetch` over HTTP on the unix socket `socketPath` (a stale socket file is replaced). */
export async function serveOnUnixSocket(
  fetch: (request: Request) => Response | Promise<Response>,
  socketPath: string,
): Promise<UnixSocketServer> {
  const server = createAdaptorServer({ fetch }) as Server
  await listenOnSocketPath(server, socketPath)
  return {
    socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
