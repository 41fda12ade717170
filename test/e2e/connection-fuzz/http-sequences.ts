/**
 * Generated HTTP/1.1 byte streams: one to four requests (unknown methods, odd targets and versions, bad header
 * bytes, huge heads, bodies whose length lies or whose chunking is broken), pipelined or paced, sometimes
 * written slowly, sometimes cut off, ended by the client finishing, destroying or resetting the connection.
 * No request can start a turn.
 */
import fc from 'fast-check'
import { ClaudeCodeOptions, MessageBody } from '../../../src/server/routes/schemas.js'
import { type Ending, ending, expand, rarely } from './sequence-parts.js'

const httpTarget = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '/health',
      '/metrics',
      '/openapi.json',
      '/',
      '/assets/x.js',
      '/assets/../../package.json',
      '/agent/info',
      '/agent/sessions',
      '/agent/sessions/fuzz-victim',
      '/agent/sessions/fuzz-victim/events?after=x',
      '/agent/sessions/fuzz-victim/files/..%2F..%2Fetc%2Fpasswd',
      '/agent/sessions/%zz',
      '/agent/message',
      '/claude-code',
      '/claude-code/debug',
      '/llm/v1/models',
      '/llm/v1/messages',
      '/llm/v1/chat/completions',
      '/llm/health',
      '*',
      'http://127.0.0.1/health',
      'http://[/health',
      '/\\..\\health',
      '/%',
      '/<p*20000>',
      '/he\u0000alth',
      '/h\u00e9alth',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((s) => `/${s}`) },
)

const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'HEAD', 'PATCH', 'DELETE', 'PUT', 'OPTIONS') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('TRACE', 'CONNECT', 'BREW', 'PRI', 'M-SEARCH', 'get', 'G\u0000T', ''),
  },
)

const plainHeader = fc.constantFrom<[string, string]>(
  ['content-type', 'application/json'],
  ['accept', '*/*'],
  ['connection', 'keep-alive'],
  ['x-request-id', 'r1'],
  ['origin', 'http://127.0.0.1'],
)

const oddHeader = fc.constantFrom<[string, string]>(
  // Two header lines: a WebSocket upgrade of whatever the target is.
  ['connection', 'Upgrade\r\nupgrade: websocket'],
  ['content-type', 'text/plain; charset=utf-16'],
  ['content-length', '-1'],
  ['content-length', '99999999999999999999'],
  ['content-length', '5, 6'],
  ['transfer-encoding', 'chunked'],
  ['transfer-encoding', 'gzip, chunked'],
  ['transfer-encoding', 'identity'],
  ['expect', '100-continue'],
  ['expect', 'tea'],
  ['connection', 'close'],
  ['connection', 'upgrade'],
  ['upgrade', 'websocket'],
  ['upgrade', 'h2c'],
  ['authorization', 'Bearer x'],
  ['x-request-id', '<r*500>'],
  ['x-junk', '\u0001\u007f'],
  ['x-junk', 'caf\u00e9'],
  ['x-junk\u0000', '1'],
  ['x junk', '1'],
  ['no-colon', ''],
  ['x-fold', 'a\r\n folded'],
  ['x-bare-lf', 'a\nb: c'],
  ['x-huge', '<h*20000>'],
  ['host', ''],
  ['host', 'a:b:c'],
)

const header = fc.oneof({ weight: 4, arbitrary: plainHeader }, { weight: 1, arbitrary: oddHeader })

/** Request bodies that cannot start a turn. */
const body = fc
  .oneof(
    fc.string({ maxLength: 80 }),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.constantFrom(
      '{"message":"x","sessionId":"',
      '{"title":"t"}',
      '{"allow":true}',
      '{"prompt":',
      // A streamed answer from the router (to cut or reset while it streams).
      '{"model":"groq/fuzz","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}',
    ),
  )
  .filter((text) => {
    try {
      const value: unknown = JSON.parse(text)
      return !MessageBody.safeParse(value).success && !ClaudeCodeOptions.safeParse(value).success
    } catch {
      return true
    }
  })

export interface HttpRequestSpec {
  method: string
  target: string
  version: string
  headers: [string, string][]
  body: string
  /** How the body is framed: a true content-length, one that lies, chunked (maybe with bad sizes), or none. */
  framing: 'length' | 'short-length' | 'long-length' | 'chunked' | 'bad-chunk' | 'none'
}

const request: fc.Arbitrary<HttpRequestSpec> = fc.record({
  method,
  target: httpTarget,
  version: fc.oneof(
    { weight: 8, arbitrary: fc.constant('HTTP/1.1') },
    { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', '', 'HTTP/9.9') },
  ),
  headers: fc.array(header, { maxLength: 3 }),
  body,
  framing: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('length', 'none') },
    { weight: 2, arbitrary: fc.constantFrom('short-length', 'long-length', 'chunked', 'bad-chunk') },
  ),
})

export interface HttpSequence {
  requests: HttpRequestSpec[]
  /** Many requests in one write (pipelined) or each once the previous answer started. */
  pipelined: boolean
  /** Write the first bytes in pieces of this size, with a short pause between them (a slow client). */
  slowPieceBytes?: number
  /** Send only this many bytes of everything (mod its length), then end. */
  cut?: number
  end: Ending
}

export const httpSequence: fc.Arbitrary<HttpSequence> = fc.record({
  requests: fc.array(request, { minLength: 1, maxLength: 4 }),
  pipelined: fc.boolean(),
  slowPieceBytes: rarely(fc.integer({ min: 1, max: 64 }), 4),
  cut: rarely(fc.nat(), 4),
  end: ending,
})

export function requestBytes(spec: HttpRequestSpec, host: string): Buffer {
  const bodyBytes = Buffer.from(spec.body)
  const lines = [
    `${spec.method} ${spec.target}${spec.version === '' ? '' : ` ${spec.version}`}`,
    `host: ${host}`,
  ]
  for (const [name, value] of spec.headers)
    lines.push(name === 'no-colon' ? name : `${name}: ${expand(value)}`)
  let encoded: Buffer = bodyBytes
  switch (spec.framing) {
    case 'length':
      lines.push(`content-length: ${bodyBytes.length}`)
      break
    case 'short-length':
      lines.push(`content-length: ${Math.floor(bodyBytes.length / 2)}`)
      break
    case 'long-length':
      lines.push(`content-length: ${bodyBytes.length + 10}`)
      break
    case 'chunked':
    case 'bad-chunk': {
      lines.push('transfer-encoding: chunked')
      const size = spec.framing === 'chunked' ? bodyBytes.length.toString(16) : 'zz;x'
      encoded = Buffer.concat([Buffer.from(`${size}\r\n`), bodyBytes, Buffer.from('\r\n0\r\n\r\n')])
      break
    }
    case 'none':
      encoded = Buffer.alloc(0)
  }
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), encoded])
}
