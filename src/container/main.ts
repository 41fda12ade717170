/**
 * Process entry of the container server (`node dist/container/main.js`, also what `agent-router container`
 * runs): reads the config, listens, and shuts down cleanly on SIGTERM/SIGINT or, when the sandbox driver
 * asks for it, when its stdin pipe closes because the parent died.
 */
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { loadContainerConfig } from '../config/config.js'
import { startPrewarm } from './prewarm.js'

export async function main(): Promise<void> {
  const config = loadContainerConfig()
  // Claude Code boots while the server (the SDK above all) loads: imported only after this.
  startPrewarm(config, process.env.CONTAINER_PREWARM)
  const { runContainerServer } = await import('./server.js')
  const server = await runContainerServer(config)
  let stopping = false
  const stop = (reason: string) => {
    if (stopping) return
    stopping = true
    process.stderr.write(`${JSON.stringify({ event: 'stopping', reason })}\n`)
    const force = setTimeout(() => process.exit(1), 5000)
    force.unref()
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
  if (config.exitOnStdinEnd) {
    process.stdin.on('end', () => stop('stdin closed (parent gone)'))
    process.stdin.on('error', () => stop('stdin error (parent gone)'))
    process.stdin.resume()
  }
}

function invokedDirectly(): boolean {
  const script = process.argv[1]
  if (script === undefined) return false
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url
  } catch {
    return false
  }
}

if (invokedDirectly()) {
  main().catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err)
    process.stderr.write(`${JSON.stringify({ event: 'failed', error: message })}\n`)
    process.exit(1)
  })
}
