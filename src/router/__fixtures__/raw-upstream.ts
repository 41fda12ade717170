/**
 * A hostile scripted upstream for the router's HTTP tests: a raw `net` server that hands each complete
 * request (head and `content-length` body) to a script, which writes whatever bytes it likes on the socket.
 */
import { createServer, type Socket } from 'node:net'
import { parseRouterConfig } from '../config/parse-config.js'
import { serveRouter } from '../node/serve-router.js'
import type { RouterOptions } from '../router-options.js'

export interface RawRequest {
  head: string
  body: string
  /** 0 for the first request the server received, over every connection. */
  n: number
}

export interface RawUpstream {
  url: string
  /** Every request received, in order. */
  requests: RawRequest[]
  /** Connections the router opened, and how many of them it has closed. */
  connections: { opened: number; closed: number }
  close(): Promise<void>
}

export async function startRawUpstream(
  script: (socket: Socket, request: RawRequest) => void,
): Promise<RawUpstream> {
  const requests: RawRequest[] = []
  const connections = { opened: 0, closed: 0 }
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    connections.opened++
    sockets.add(socket)
    socket.on('close', () => {
      connections.closed++
      sockets.delete(socket)
    })
    socket.on('error', () => {})
    let buffer = Buffer.alloc(0)
    socket.on('data', (data: Buffer) => {
      buffer = Buffer.concat([buffer, data])
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = buffer.subarray(0, end).toString('latin1')
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0)
        if (buffer.length < end + 4 + length) return
        const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8')
        buffer = buffer.subarray(end + 4 + length)
        const request = { head, body, n: requests.length }
        requests.push(request)
        script(socket, request)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A whole HTTP/1.1 answer with a length. */
export function httpAnswer(
  body: string | Buffer,
  headers: Record<string, string> = {},
  status = 200,
): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body
  const lines = Object.entries({ 'content-type': 'application/json', ...headers }).map(
    ([k, v]) => `${k}: ${v}\r\n`,
  )
  return Buffer.concat([
    Buffer.from(`HTTP/1.1 ${status} OK\r\n${lines.join('')}content-length: ${bytes.length}\r\n\r\n`),
    bytes,
  ])
}

/** An OpenAI chat completion whose answer is `text`. */
export function completion(text: string): string {
  return JSON.stringify({
    id: 'c1',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  })
}

/** One OpenAI stream chunk as an SSE event. */
export function sseChunk(delta: Record<string, unknown>, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
}

/** Router options with a `groq/*` route to `<upstream>/v1`, and `settings` (YAML lines) appended. */
export function routerOptionsOver(upstream: { url: string }, settings = ''): RouterOptions {
  return {
    config: parseRouterConfig(`
model_list:
  - model_name: groq/*
    litellm_params: {model: groq/*, api_base: ${upstream.url}/v1}
${settings}
`),
    secrets: { GROQ_API_KEY: 'gsk_k' },
  }
}

/** The router served alone on Node in front of `upstream` (see routerOptionsOver). */
export async function serveRouterOver(
  upstream: { url: string },
  settings = '',
): Promise<{ port: number; url: string; close(): Promise<void> }> {
  const running = await serveRouter(routerOptionsOver(upstream, settings), { port: 0 })
  return { port: running.port, url: `http://127.0.0.1:${running.port}`, close: running.close }
}
