/**
 * Starts the router alone the way `agent-router router` should (`serveRouter` from `dist/router/node/index.js`),
 * for the benchmark: `node bench/serve-router.js <config.yaml> <port>`; prints `listening <port>`.
 */
import { loadRouterConfig, serveRouter } from '../dist/router/node/index.js'

const [configPath, port] = process.argv.slice(2)
const running = await serveRouter(
  { config: loadRouterConfig(configPath), secrets: {} },
  { port: Number(port), hostname: '127.0.0.1' },
)
process.stdout.write(`listening ${running.port}\n`)
process.on('SIGINT', () => running.close().then(() => process.exit(0)))
