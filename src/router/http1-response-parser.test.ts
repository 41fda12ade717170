import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Http1ParseError, Http1ResponseParser, type ResponseHead } from './http1-response-parser.js'

interface Parsed {
  heads: ResponseHead[]
  body: string
  ended: boolean
  parser: Http1ResponseParser
}

/** Feeds `wire` in pieces cut at `cuts` (byte offsets). */
function parse(wire: string | Buffer, cuts: number[] = [], bodiless = false): Parsed {
  const bytes = typeof wire === 'string' ? Buffer.from(wire, 'latin1') : wire
  const out: Parsed = { heads: [], body: '', ended: false, parser: undefined as never }
  const parts: Buffer[] = []
  out.parser = new Http1ResponseParser(
    {
      head: (h) => out.heads.push(h),
      data: (b) => parts.push(Buffer.from(b)),
      end: () => {
        out.ended = true
      },
    },
    bodiless,
  )
  let at = 0
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length]) {
    if (cut > at) out.parser.push(bytes.subarray(at, cut))
    at = cut
  }
  out.body = Buffer.concat(parts).toString('latin1')
  return out
}

const CHUNKED =
  'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n' +
  '6;name=value\r\ndata: \r\n' +
  'e\r\n{"a":"b\\r\\n"}\n\r\n' +
  '1\r\n\n\r\n' +
  '0\r\nX-Trailer: yes\r\n\r\n'

describe('Http1ResponseParser', () => {
  it('reads a Content-Length answer and keeps the connection reusable', () => {
    const r = parse('HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2\r\n\r\nhello')
    expect(r.heads).toEqual([
      {
        status: 201,
        statusText: 'Created',
        rawHeaders: ['Content-Length', '5', 'X-A', '1', 'x-a', '2'],
        keepAlive: true,
        keepAliveSeconds: undefined,
      },
    ])
    expect(r.body).toBe('hello')
    expect(r.ended).toBe(true)
  })

  it('decodes chunked bodies with extensions and trailers, cut at every byte', () => {
    for (let cut = 0; cut <= CHUNKED.length; cut++) {
      const r = parse(CHUNKED, [cut])
      expect(r.body, `cut at ${cut}`).toBe('data: {"a":"b\\r\\n"}\n\n')
      expect(r.ended).toBe(true)
      expect(r.heads[0]?.keepAlive).toBe(true)
    }
  })

  it('decodes the same bytes however the reads fall (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(CHUNKED.length), { maxLength: 12 }), (cuts) => {
        const r = parse(CHUNKED, cuts)
        return r.ended && r.body === 'data: {"a":"b\\r\\n"}\n\n'
      }),
    )
  })

  it('gives one piece per push even when a read holds several chunks', () => {
    const pieces: string[] = []
    const parser = new Http1ResponseParser({
      head: () => {},
      data: (b) => pieces.push(b.toString()),
      end: () => {},
    })
    parser.push(Buffer.from(CHUNKED, 'latin1'))
    expect(pieces).toEqual(['data: {"a":"b\\r\\n"}\n\n'])
  })

  it('skips interim 1xx answers', () => {
    const r = parse(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    )
    expect(r.heads.map((h) => h.status)).toEqual([200])
    expect(r.body).toBe('ok')
  })

  it('reads an unframed body until the connection closes, and does not reuse it', () => {
    const r = parse('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end')
    expect(r.ended).toBe(false)
    expect(r.heads[0]?.keepAlive).toBe(false)
    expect(r.parser.close()).toBe(true)
    expect(r.ended).toBe(true)
    expect(r.body).toBe('until the end')
  })

  it('reports a body cut short by the close', () => {
    const r = parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort')
    expect(r.parser.close()).toBe(false)
    const c = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab')
    expect(c.parser.close()).toBe(false)
  })

  it('has no body for HEAD requests, 204 and 304', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n', [], true).ended).toBe(true)
    expect(parse('HTTP/1.1 204 No Content\r\n\r\n').ended).toBe(true)
    expect(parse('HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n').ended).toBe(true)
  })

  it('follows Connection and Keep-Alive', () => {
    expect(
      parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').heads[0]?.keepAlive,
    ).toBe(false)
    expect(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').heads[0]?.keepAlive).toBe(false)
    const kept = parse(
      'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nKeep-Alive: timeout=5, max=100\r\nContent-Length: 0\r\n\r\n',
    )
    expect(kept.heads[0]).toMatchObject({ keepAlive: true, keepAliveSeconds: 5 })
  })

  it('rejects malformed answers', () => {
    const bad = [
      'HTTP/2 200 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\nBad Header\r\n\r\n',
      'HTTP/1.1 200 OK\r\nX: a\nb\r\n\r\n',
      'HTTP/1.1 200 OK\r\nX: a\x01b\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab',
    ]
    for (const wire of bad) expect(() => parse(wire), wire).toThrow(Http1ParseError)
  })
})
