/**
 * The router served on Node (`serveRouter`, upstream calls through `nodeUpstream`) against an upstream that
 * writes crafted bytes: broken framing, a `101`, endless or silent bodies, compression nobody asked for, and
 * a connection that drops a request it received. Nothing here may reach another request, run twice, hang or
 * grow without bound.
 */
import { connect, type Socket } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import {
  completion,
  httpAnswer,
  type RawRequest,
  type RawUpstream,
  serveRouterOver,
  sseChunk,
  startRawUpstream,
} from '../__fixtures__/raw-upstream.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

async function upstream(script: (socket: Socket, request: RawRequest) => void): Promise<RawUpstream> {
  const server = await startRawUpstream(script)
  closers.push(() => server.close())
  return server
}

/** The router in front of `up`, retries off, with `settings` added to its config. */
async function routerOver(up: RawUpstream, settings = ''): Promise<string> {
  const running = await serveRouterOver(up, `router_settings:\n  num_retries: 0\n  timeout: 30\n${settings}`)
  closers.push(() => running.close())
  return running.url
}

function ask(router: string, stream = false): Promise<Response> {
  return fetch(`${router}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'groq/m',
      max_tokens: 10,
      stream,
      messages: [{ role: 'user', content: 'hi' }],
    }),
  })
}

async function answerText(response: Response): Promise<string> {
  const json = (await response.json()) as { content?: { text?: string }[] }
  return json.content?.[0]?.text ?? JSON.stringify(json)
}

describe('the router against a hostile upstream', () => {
  it('refuses an upstream 101 and never gives the answer that follows it to another request', async () => {
    let upgraded: Socket | undefined
    const up = await upstream((socket, request) => {
      if (request.n === 0) {
        upgraded = socket
        socket.write('HTTP/1.1 101 Switching Protocols\r\n\r\n')
        return
      }
      // A client that took the 101 for a whole answer reads this one as the answer to the next request.
      if (socket === upgraded) socket.write(httpAnswer(completion('meant for the first session')))
      socket.write(httpAnswer(completion('for the second session')))
    })
    const router = await routerOver(up)
    const first = await ask(router)
    const second = await ask(router)
    expect(await answerText(second)).toBe('for the second session')
    expect(first.status).toBe(502)
  })

  it('refuses an answer framed by both content-length and chunked encoding', async () => {
    const up = await upstream((socket) => {
      const body = completion('smuggled')
      socket.write(
        `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
      )
    })
    const response = await ask(await routerOver(up))
    expect(response.status).toBe(502)
  })

  it('refuses chunk sizes ended by a bare LF', async () => {
    const up = await upstream((socket) => {
      const body = completion('bare')
      socket.write(
        `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n${body.length.toString(16)}\n${body}\r\n0\r\n\r\n`,
      )
    })
    const response = await ask(await routerOver(up))
    expect(response.status).toBe(502)
  })

  it('stops reading an endless answer at max_response_size_mb, with an error naming the setting', async () => {
    const piece = Buffer.from(`10000\r\n${'a'.repeat(0x10000)}\r\n`)
    const up = await upstream((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n')
      const more = () => {
        while (!socket.destroyed && socket.write(piece));
      }
      socket.on('drain', more)
      more()
    })
    const response = await ask(await routerOver(up, 'general_settings: {max_response_size_mb: 1}'))
    expect(response.status).toBe(502)
    expect(await response.text()).toContain('max_response_size_mb')
    // The router let go of the connection instead of reading on.
    const released = () => up.connections.opened > 0 && up.connections.closed === up.connections.opened
    await expect.poll(released, { timeout: 10_000 }).toBe(true)
  }, 20_000)

  it('ends a stream that goes silent after its first bytes, with an error naming stream_idle_timeout', async () => {
    const up = await upstream((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n')
      const first = sseChunk({ role: 'assistant', content: 'thinking…' })
      socket.write(`${Buffer.byteLength(first).toString(16)}\r\n${first}\r\n`)
    })
    const response = await ask(await routerOver(up, '  stream_idle_timeout: 0.3'), true)
    expect(response.status).toBe(200)
    const text = await response.text()
    expect(text).toContain('thinking…')
    expect(text).toMatch(/event: error\n.*stream_idle_timeout/)
  }, 20_000)

  it('asks for an uncompressed answer and decodes one that comes gzipped anyway', async () => {
    const up = await upstream((socket) => {
      socket.write(httpAnswer(gzipSync(completion('unzipped')), { 'content-encoding': 'gzip' }))
    })
    const response = await ask(await routerOver(up))
    expect(await answerText(response)).toBe('unzipped')
    expect(up.requests[0]?.head).toMatch(/\r\naccept-encoding: identity\r\n/i)
  })

  it('never sends a POST again that the upstream received, when retries are off', async () => {
    const up = await upstream((socket, request) => {
      // The second request reaches the upstream over the kept-alive connection, which then drops it.
      if (request.n === 1) socket.destroy()
      else socket.write(httpAnswer(completion(`answer ${request.n}`)))
    })
    const router = await routerOver(up)
    expect(await answerText(await ask(router))).toBe('answer 0')
    const second = await ask(router)
    expect(second.status).toBe(502)
    expect(up.requests).toHaveLength(2)
  })

  it('answers the next request after a slow reader finished its stream', async () => {
    const delta = sseChunk({ content: 'x'.repeat(1000) })
    const up = await upstream((socket, request) => {
      if (request.n > 0) {
        socket.write(httpAnswer(completion('next')))
        return
      }
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: ')
      const events = [sseChunk({ role: 'assistant', content: '' })]
      for (let i = 0; i < 4000; i++) events.push(delta)
      events.push(sseChunk({}, 'stop'), 'data: [DONE]\n\n')
      const body = events.join('')
      socket.write(`${Buffer.byteLength(body)}\r\n\r\n${body}`)
    })
    const router = await routerOver(up)
    // A client on a raw socket that reads nothing for a while, then everything.
    const client = connect(Number(new URL(router).port), '127.0.0.1')
    const body = JSON.stringify({
      model: 'groq/m',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    })
    client.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: r\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    )
    client.pause()
    await new Promise((r) => setTimeout(r, 300))
    await new Promise<void>((resolve) => {
      let tail = ''
      client.on('data', (d: Buffer) => {
        tail = (tail + d.toString('latin1')).slice(-16)
        if (tail.endsWith('0\r\n\r\n')) resolve()
      })
      client.resume()
    })
    client.destroy()
    expect(await answerText(await ask(router))).toBe('next')
  }, 20_000)
})
