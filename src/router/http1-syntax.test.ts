import { describe, expect, it } from 'vitest'
import { parseRequestHead } from './http1-request-head.js'
import { Http1ResponseParser, type ResponseHead } from './http1-response-parser.js'
import { splitHeaderLine } from './http1-syntax.js'

/** A header whose value holds a run of `blanks` spaces between two letters: the worst case of a lazy pattern. */
const blanksInside = (blanks: number) => `x-pad: a${' '.repeat(blanks)}b`

const requestHead = (header: string) => `POST /v1/messages HTTP/1.1\r\nHost: x\r\n${header}`

/** The least time, over several tries, that `times` runs of `work` take. */
function leastTime(work: () => void, times: number): number {
  let least = Number.POSITIVE_INFINITY
  for (let attempt = 0; attempt < 7; attempt++) {
    const started = process.hrtime.bigint()
    for (let i = 0; i < times; i++) work()
    least = Math.min(least, Number(process.hrtime.bigint() - started))
  }
  return least
}

describe('splitHeaderLine', () => {
  it('splits at the first colon and trims blanks around the value only', () => {
    expect(splitHeaderLine('Content-Type: text/plain')).toEqual(['Content-Type', 'text/plain'])
    expect(splitHeaderLine('x-a:\t  two  words \t')).toEqual(['x-a', 'two  words'])
    expect(splitHeaderLine('x-a:b:c')).toEqual(['x-a', 'b:c'])
    expect(splitHeaderLine('x-a:')).toEqual(['x-a', ''])
    expect(splitHeaderLine('x-a: \t ')).toEqual(['x-a', ''])
    expect(splitHeaderLine('x-a: caf\xe9')).toEqual(['x-a', 'caf\xe9'])
  })

  it('refuses a name that is not a token and a value with control characters', () => {
    for (const line of [
      'no colon',
      ': empty name',
      'x a: space in the name',
      'x-a : blank before the colon',
      'x-a: bare\rreturn',
      'x-a: bare\nnewline',
      'x-a: nul\0',
      'x-a: del\x7f',
      'x-a: wide\u0100',
    ])
      expect(splitHeaderLine(line), JSON.stringify(line)).toBeUndefined()
  })

  it('keeps a long run of blanks inside a value, in a head of 16 KiB', () => {
    const header = blanksInside(16 * 1024)
    expect(splitHeaderLine(header)).toEqual(['x-pad', `a${' '.repeat(16 * 1024)}b`])
    expect(parseRequestHead(requestHead(header))?.headers.get('x-pad')).toHaveLength(16 * 1024 + 2)
    const heads: ResponseHead[] = []
    const parser = new Http1ResponseParser({ head: (h) => heads.push(h), data: () => {}, end: () => {} })
    parser.push(Buffer.from(`HTTP/1.1 204 No Content\r\n${header}\r\n\r\n`, 'latin1'))
    expect(heads[0]?.rawHeaders).toEqual(['x-pad', `a${' '.repeat(16 * 1024)}b`])
  })

  it('reads a head in time linear in its length, blanks inside values included', () => {
    // Same-run comparison: 16 times the blanks cost about 16 times as much when the reading is linear,
    // and about 256 times as much when it backtracks over the run of blanks.
    const small = requestHead(blanksInside(2 * 1024))
    const large = requestHead(blanksInside(32 * 1024))
    let times = 1
    while (leastTime(() => parseRequestHead(small), times) < 2_000_000 && times < 1 << 20) times *= 2
    const ratio =
      leastTime(() => parseRequestHead(large), times) / leastTime(() => parseRequestHead(small), times)
    expect(ratio).toBeLessThan(64)
  })
})
