/**
 * The floor for any router in this benchmark: a minimal `node:http` proxy that forwards the body to the
 * upstream's chat completions (or to the path asked for when it is not `/`) and pipes the answer back, with no
 * parsing, routing or accounting. `node minimal-proxy.js
 * <upstream-port>`; prints `listening <port>`. The benchmark shows what a separate proxy process costs on
 * this machine before any router logic.
 */
import { Agent, createServer, request } from 'node:http'

const upstreamPort = Number(process.argv[2])
const agent = new Agent({ keepAlive: true })
const server = createServer((req, res) => {
  const parts = []
  req.on('data', (d) => parts.push(d))
  req.on('end', () => {
    const body = Buffer.concat(parts)
    const headers = { 'content-type': 'application/json', 'content-length': body.length }
    const path = req.url === '/' ? '/v1/chat/completions' : req.url
    const up = request(
      { host: '127.0.0.1', port: upstreamPort, path, method: 'POST', agent, headers },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, {
          'content-type': ur.headers['content-type'] ?? 'application/json',
        })
        ur.pipe(res)
      },
    )
    up.on('error', () => res.destroy())
    up.end(body)
  })
})
server.keepAliveTimeout = 65_000
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`))
