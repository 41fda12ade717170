/**
 * Starts the router alone the way `agent-router router` should (`serveRouter` from `dist/router/node/index.js`),
 * for the benchmarks: `node bench/serve-router.js <config.yaml> <port> [<dist>]`, where `<dist>` is another
 * build's output folder to serve instead of this one's (`router-ab.js`); prints `listening <port>`.
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const [configPath, port, dist] = process.argv.slice(2)
const entry = dist
  ? pathToFileURL(resolve(dist, 'router/node/index.js')).href
  : new URL('../dist/router/node/index.js', import.meta.url).href
const { loadRouterConfig, serveRouter } = await import(entry)
const running = await serveRouter(
  { config: loadRouterConfig(configPath), secrets: {} },
  { port: Number(port), hostname: '127.0.0.1' },
)
process.stdout.write(`listening ${running.port}\n`)
process.on('SIGINT', () => running.close().then(() => process.exit(0)))
