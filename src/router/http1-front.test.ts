import { createServer as createHttpServer, type IncomingMessage } from 'node:http'
import { type AddressInfo, connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { parseRouterConfig } from './load-config.js'
import { serveRouter } from './serve-router.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

const COMPLETION = JSON.stringify({
  id: 'c1',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
})

/**
 * An OpenAI-compatible upstream; the `slow` model streams one event every 20 ms until the client leaves, the
 * `big` model one of 64 KiB every millisecond.
 */
async function upstream() {
  const closed: string[] = []
  const server = createHttpServer((req: IncomingMessage, res) => {
    let body = ''
    req.on('data', (d) => {
      body += d
    })
    req.on('end', () => {
      const model = (JSON.parse(body) as { model: string }).model
      if (model === 'slow' || model === 'big') {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        const content = model === 'big' ? 'x'.repeat(64 * 1024) : 'x'
        const chunk = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`
        const timer = setInterval(() => res.write(chunk), model === 'big' ? 1 : 20)
        res.on('close', () => {
          clearInterval(timer)
          closed.push(model)
        })
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(COMPLETION.replace('"hi"', JSON.stringify(`hi ${model}`)))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, closed }
}

async function router(settings = '') {
  const up = await upstream()
  const running = await serveRouter(
    {
      config: parseRouterConfig(`
model_list:
  - model_name: "*"
    litellm_params: {model: hosted_vllm/*, api_base: ${up.url}/v1}
${settings}`),
      secrets: {},
    },
    { port: 0 },
  )
  closers.push(() => running.close())
  return { port: running.port, upstream: up, close: () => running.close() }
}

const post = (path: string, body: string, extra = '') =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
const chat = (model: string) => JSON.stringify({ model, messages: [{ role: 'user', content: 'hé' }] })

/** A raw client connection collecting what the server sends. */
async function client(port: number) {
  const socket: Socket = connect(port, '127.0.0.1')
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  let received = ''
  let ended = false
  socket.on('data', (d) => {
    received += d.toString('utf8')
  })
  socket.on('close', () => {
    ended = true
  })
  closers.push(async () => void socket.destroy())
  const until = async (test: (text: string) => boolean) => {
    for (let i = 0; i < 400 && !test(received); i++) await new Promise((r) => setTimeout(r, 10))
    return received
  }
  return { socket, until, received: () => received, ended: () => ended }
}

const answers = (text: string) => text.split(/(?=HTTP\/1\.1 )/)

describe('the fast HTTP/1.1 front of serveRouter', () => {
  it('answers hot requests on a kept-alive connection, then hands other requests to Node with their bytes', async () => {
    const { port } = await router()
    const c = await client(port)
    c.socket.write(post('/v1/chat/completions', chat('one')))
    await c.until((t) => t.includes('hi one'))
    // Not a hot path: Node's server reads this one and every later one on the connection.
    c.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n')
    await c.until((t) => answers(t).length === 2 && t.endsWith('}'))
    c.socket.write(post('/v1/chat/completions', chat('three')))
    const text = await c.until((t) => t.includes('hi three'))
    const [first, second, third] = answers(text)
    expect(first).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(first).toMatch(/\r\ncontent-length: \d+\r\n/)
    expect(first).toMatch(/\r\nconnection: keep-alive\r\n/)
    expect(second).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*"status":"ok"/)
    expect(third).toContain('hi three')
    expect(c.ended()).toBe(false)
  })

  it('answers pipelined requests in order, and a body that arrives in many pieces', async () => {
    const { port } = await router()
    const c = await client(port)
    c.socket.write(post('/v1/chat/completions', chat('a')) + post('/v1/chat/completions', chat('b')))
    const wire = post('/v1/chat/completions', chat('c'))
    for (let i = 0; i < wire.length; i += 7) {
      c.socket.write(wire.slice(i, i + 7))
      await new Promise((r) => setImmediate(r))
    }
    const text = await c.until((t) => t.includes('hi c'))
    expect(answers(text).map((a) => /hi (\w)/.exec(a)?.[1])).toEqual(['a', 'b', 'c'])
  })

  it('keeps nothing of a finished request on its connection (no listener piles up over many)', async () => {
    const { port } = await router()
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(w.name)
    process.on('warning', onWarning)
    const c = await client(port)
    for (let i = 0; i < 30; i++) {
      c.socket.write(post('/v1/chat/completions', chat(`n${i}`)))
      await c.until((t) => t.includes(`hi n${i}"`))
    }
    await new Promise((r) => setImmediate(r))
    process.off('warning', onWarning)
    expect(warnings).toEqual([])
  })

  it("waits out a slow reader without piling up listeners, on its own path and on Node's", async () => {
    const { port } = await router()
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(w.name)
    process.on('warning', onWarning)
    const body = JSON.stringify({ model: 'big', stream: true, messages: [{ role: 'user', content: 'x' }] })
    // A chunked upload is Node's server's to read, and its answer is written through Node's response.
    const chunkedUpload = `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`
    for (const request of [post('/v1/chat/completions', body), chunkedUpload]) {
      const c = await client(port)
      c.socket.write(request)
      await c.until((t) => t.includes('data: '))
      for (let i = 0; i < 30; i++) {
        c.socket.pause()
        await new Promise((r) => setTimeout(r, 20))
        c.socket.resume()
        await new Promise((r) => setTimeout(r, 2))
      }
      c.socket.destroy()
    }
    await new Promise((r) => setImmediate(r))
    process.off('warning', onWarning)
    expect(warnings).toEqual([])
  })

  it("leaves chunked uploads, Expect: 100-continue and oversized heads to Node's server", async () => {
    const { port } = await router()
    const body = chat('chunked')
    const c = await client(port)
    c.socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    )
    expect(await c.until((t) => t.includes('hi chunked'))).toMatch(/^HTTP\/1\.1 200 OK/)
    const e = await client(port)
    const expected = chat('expect')
    e.socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: ${Buffer.byteLength(expected)}\r\n\r\n`,
    )
    expect(await e.until((t) => t.includes('100 Continue'))).toMatch(/^HTTP\/1\.1 100 Continue/)
    e.socket.write(expected)
    expect(await e.until((t) => t.includes('hi expect'))).toContain('hi expect')
    const big = await client(port)
    big.socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
    expect(await big.until((t) => t.length > 0)).toMatch(/^HTTP\/1\.1 431 /)
  })

  it('closes after the answer when the client asks, and streams with chunked framing', async () => {
    const { port } = await router()
    const c = await client(port)
    c.socket.write(post('/v1/chat/completions', chat('bye'), 'Connection: close\r\n'))
    await c.until(() => c.ended())
    expect(c.received()).toMatch(/\r\nconnection: close\r\n/)
    expect(c.ended()).toBe(true)
    const s = await client(port)
    const stream = JSON.stringify({ model: 'slow', stream: true, messages: [{ role: 'user', content: 'x' }] })
    s.socket.write(post('/v1/chat/completions', stream))
    const text = await s.until((t) => (t.match(/data: /g) ?? []).length >= 2)
    expect(text).toMatch(/\r\ntransfer-encoding: chunked\r\n/)
    expect(text).toMatch(/\r\n\r\n[0-9a-f]+\r\ndata: \{/)
  })

  it('stops the upstream call when the client leaves mid-stream', async () => {
    const { port, upstream } = await router()
    const s = await client(port)
    const stream = JSON.stringify({ model: 'slow', stream: true, messages: [{ role: 'user', content: 'x' }] })
    s.socket.write(post('/v1/chat/completions', stream))
    await s.until((t) => t.includes('data: '))
    s.socket.destroy()
    for (let i = 0; i < 200 && upstream.closed.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
    expect(upstream.closed).toEqual(['slow'])
  })

  it('refuses a wrong token or an oversized body from the head, without waiting for the body', async () => {
    const { port } = await router('general_settings: {master_key: router-key}\n')
    const head = (extra: string, length: number) =>
      `POST /v1/messages HTTP/1.1\r\nHost: x\r\n${extra}Content-Length: ${length}\r\n\r\n`
    const noToken = await client(port)
    noToken.socket.write(head('', 1_000_000))
    await noToken.until(() => noToken.ended())
    expect(noToken.received()).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/)
    expect(noToken.received()).toMatch(/\r\nconnection: close\r\n/)
    expect(noToken.received()).toContain('"type":"authentication_error"')
    const huge = await client(port)
    huge.socket.write(head('x-api-key: router-key\r\n', 33 * 1024 * 1024))
    await huge.until(() => huge.ended())
    expect(huge.received()).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/)
    expect(huge.received()).toContain('the request body is over 32 MiB')
    // Admitted: the body is read and answered.
    const ok = await client(port)
    ok.socket.write(post('/v1/chat/completions', chat('admitted'), 'x-api-key: router-key\r\n'))
    expect(await ok.until((t) => t.includes('hi admitted'))).toMatch(/^HTTP\/1\.1 200 OK/)
  })

  it("stops reading a chunked upload at 32 MiB on Node's path too", async () => {
    const { port } = await router()
    const c = await client(port)
    c.socket.on('error', () => {})
    c.socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n')
    const piece = Buffer.alloc(1024 * 1024, 'a')
    for (let i = 0; i < 33 && !c.ended(); i++) {
      c.socket.write(`${piece.length.toString(16)}\r\n`)
      c.socket.write(piece)
      c.socket.write('\r\n')
      await new Promise((r) => setImmediate(r))
    }
    expect(await c.until((t) => t.includes('32 MiB'))).toMatch(/^HTTP\/1\.1 413 /)
  })

  it('closes with idle connections open, its own and those it handed to Node', async () => {
    const { port, close } = await router()
    const a = await client(port)
    a.socket.write(post('/v1/chat/completions', chat('idle')))
    await a.until((t) => t.includes('hi idle'))
    const b = await client(port)
    b.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n')
    await b.until((t) => t.endsWith('}'))
    await close()
    await a.until(() => a.ended())
    await b.until(() => b.ended())
    expect([a.ended(), b.ended()]).toEqual([true, true])
  })
})
