/**
 * Runs inside a bwrap sandbox, preloaded into the container server (`node --import …/forwards.js`):
 * the sandbox has no network but its own loopback, so each `SANDBOX_FORWARDS` entry listens on
 * 127.0.0.1:<port> and pipes every connection to a unix socket the driver bound in from the host (the
 * model router, and the egress proxy when SANDBOX_EGRESS is set).
 */
import { connect, createServer, type Server } from 'node:net'
import { loadSandboxForwards, type SandboxForward } from '../../../config/config.js'

/** Listens on 127.0.0.1:`port` and pipes each connection to `socketPath`; resolves once listening. */
export function startForward(forward: SandboxForward): Promise<Server> {
  const server = createServer((client) => {
    const upstream = connect(forward.socketPath)
    client.pipe(upstream).pipe(client)
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(forward.port, '127.0.0.1', () => {
      server.off('error', reject)
      // The container server decides when the process ends, not these listeners.
      server.unref()
      resolve(server)
    })
  })
}

await Promise.all(loadSandboxForwards().map(startForward))
