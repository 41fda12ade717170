import { describe, expect, it } from 'vitest'
import { parseRequestHead } from './http1-request-head.js'

const head = (...lines: string[]) => lines.join('\r\n')

describe('parseRequestHead (the strict form the fast front answers itself)', () => {
  it('reads method, path, query, headers and length', () => {
    const h = parseRequestHead(
      head(
        'POST /v1/messages?beta=true HTTP/1.1',
        'Host: 127.0.0.1:4000',
        'Content-Length: 12',
        'X-Api-Key:  sk-x  ',
        'anthropic-beta: a',
        'Anthropic-Beta: b',
      ),
    )
    expect(h).toMatchObject({ method: 'POST', path: '/v1/messages', search: '?beta=true', contentLength: 12 })
    expect(h?.keepAlive).toBe(true)
    expect(h?.headers.get('x-api-key')).toBe('sk-x')
    expect(h?.headers.get('X-API-KEY')).toBe('sk-x')
    expect(h?.headers.get('anthropic-beta')).toBe('a, b')
    expect(h?.headers.get('authorization')).toBeNull()
  })

  it('sees Connection: close among other tokens', () => {
    const h = parseRequestHead(head('POST /v1/messages HTTP/1.1', 'Host: x', 'Connection: TE, close'))
    expect(h?.keepAlive).toBe(false)
    expect(h?.contentLength).toBe(0)
  })

  it("leaves everything outside the strict form to Node's parser", () => {
    const outside = [
      head('POST /v1/messages HTTP/1.0', 'Host: x'),
      head('POST http://x/v1/messages HTTP/1.1', 'Host: x'),
      head('POST /v1/messages HTTP/1.1'),
      head('POST /v1/messages HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked'),
      head('POST /v1/messages HTTP/1.1', 'Host: x', 'Content-Length: 5', 'Content-Length: 5'),
      head('POST /v1/messages HTTP/1.1', 'Host: x', 'Content-Length: +5'),
      head('POST /v1/messages HTTP/1.1', 'Host: x', 'Expect: 100-continue'),
      head('POST /v1/messages HTTP/1.1', 'Host: x', 'Upgrade: websocket'),
      head('POST /v1/messages HTTP/1.1', 'Host: x', ' folded: value'),
      head('POST /v1/messages HTTP/1.1', 'Host: x', 'Bad Name: v'),
      head('POST /v1/messages HTTP/1.1', 'Host: x', 'X: a\x00b'),
      head('POST /v1/messages HTTP/1.1', 'Host: x', 'X: a\nb'),
      head('POST /v1/mes sages HTTP/1.1', 'Host: x'),
      head('POST  /v1/messages HTTP/1.1', 'Host: x'),
    ]
    for (const text of outside) expect(parseRequestHead(text), JSON.stringify(text)).toBeUndefined()
  })
})
