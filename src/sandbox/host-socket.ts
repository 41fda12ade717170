/**
 * Host-side unix sockets that sandboxes reach (the router, the egress proxy): a path short enough for a
 * socket, and a fetch handler (a Hono app) served on it.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, unlinkSync } from 'node:fs'
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
