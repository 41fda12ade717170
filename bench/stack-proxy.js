/**
 * The router's own stack with no router in it: a Hono app on `@hono/node-server` that reads the request the
 * way the Node host does (`nodeRequestReader`) and forwards it through the Node host's upstream `fetch`
 * (`nodeHttpFetch`: undici's pooled `request()`, the answer as a web stream), with no auth, parsing, routing,
 * limits, usage or translation; to the upstream's chat completions, or to the path asked for when it is not `/`.
 * `node stack-proxy.js <upstream-port>`; prints `listening <port>`. Its CPU per
 * request, next to the bare `node:http` proxy's, is what the HTTP stack costs; ours minus it is the router.
 */
import { createAdaptorServer } from '@hono/node-server'
import { Hono } from 'hono'
import { nodeHttpFetch, nodeRequestReader } from '../dist/router/node/index.js'

const upstream = `http://127.0.0.1:${Number(process.argv[2])}`
const app = new Hono()
app.post('/*', async (c) => {
  const incoming = await nodeRequestReader.incoming(c, 32 * 1024 * 1024)
  const path = c.req.path === '/' ? '/v1/chat/completions' : c.req.path
  const answer = await nodeHttpFetch(`${upstream}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: incoming.rawBody,
    signal: incoming.signal,
  })
  const headers = { 'content-type': answer.headers.get('content-type') ?? 'application/json' }
  return new Response(answer.body, { status: answer.status, headers })
})
const server = createAdaptorServer({ fetch: app.fetch })
server.keepAliveTimeout = 65_000
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`))
