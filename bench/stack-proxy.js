/**
 * The router's own stack with no router in it: a Hono app on `@hono/node-server` that reads the request the
 * way the Node host does (`nodeRequestReader`) and forwards it the Node host's way upstream (`nodeUpstream`:
 * undici's pooled `request()`), the answer's body handed back as one web stream, with no auth, parsing,
 * routing, usage or translation; to the upstream's chat completions, or to the path asked for when it is not `/`.
 * `node stack-proxy.js <upstream-port>`; prints `listening <port>`. Its CPU per
 * request, next to the bare `node:http` proxy's, is what the HTTP stack costs; ours minus it is the router.
 */
import { createAdaptorServer } from '@hono/node-server'
import { Hono } from 'hono'
import { nodeRequestReader, nodeUpstream } from '../dist/router/node/index.js'

const upstream = `http://127.0.0.1:${Number(process.argv[2])}`
const send = nodeUpstream({ maxBytes: 32 * 1024 * 1024, idleMs: 60_000 })

/** The answer's body as the one web stream the client reads. */
function bodyStream(reader) {
  return new ReadableStream(
    {
      async pull(controller) {
        const { done, value } = await reader.read()
        if (done) controller.close()
        else controller.enqueue(value)
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  )
}
const app = new Hono()
app.post('/*', async (c) => {
  const incoming = await nodeRequestReader.incoming(c, 32 * 1024 * 1024)
  const path = c.req.path === '/' ? '/v1/chat/completions' : c.req.path
  // One controller per upstream call, as the router's dispatch has, aborted when the client goes away.
  const attempt = new AbortController()
  incoming.signal?.addEventListener('abort', () => attempt.abort(), { once: true })
  const answer = await send(`${upstream}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: incoming.rawBody,
    signal: attempt.signal,
  })
  const headers = { 'content-type': answer.headers.get('content-type') ?? 'application/json' }
  return new Response(bodyStream(answer.body), { status: answer.status, headers })
})
const server = createAdaptorServer({ fetch: app.fetch })
server.keepAliveTimeout = 65_000
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`))
