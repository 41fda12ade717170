import { describe, expect, it } from 'vitest'
import { type SseEvent, SseParser } from './sse-parser.js'

describe('SseParser', () => {
  it('reassembles events split anywhere, CRLF split between reads, multi-line data and comments', () => {
    const text = ': ping\r\nevent: a\r\ndata: one\r\ndata: two\r\n\r\ndata: {"x":"é"}\n\ndata: last'
    const bytes = new TextEncoder().encode(text)
    for (let size = 1; size <= bytes.length; size++) {
      const parser = new SseParser()
      const events = []
      for (let i = 0; i < bytes.length; i += size) events.push(...parser.push(bytes.slice(i, i + size)))
      events.push(...parser.end())
      expect(events).toEqual([
        { event: 'a', data: 'one\ntwo' },
        { event: undefined, data: '{"x":"é"}' },
        { event: undefined, data: 'last' },
      ])
    }
  })
})

describe('SseParser with LF line ends only (the common case)', () => {
  it('reads data lines with and without a space, empty data, multi-line data, split anywhere', () => {
    const text =
      'event: a\ndata: one\ndata: two\n\n: c\ndata: {"x":"é"}\n\ndata:tight\n\ndata: \n\ndata: last'
    const bytes = new TextEncoder().encode(text)
    for (let size = 1; size <= bytes.length; size++) {
      const parser = new SseParser()
      const events: SseEvent[] = []
      for (let i = 0; i < bytes.length; i += size) parser.push(bytes.slice(i, i + size), events)
      parser.end(events)
      expect(events).toEqual([
        { event: 'a', data: 'one\ntwo' },
        { event: undefined, data: '{"x":"é"}' },
        { event: undefined, data: 'tight' },
        { event: undefined, data: '' },
        { event: undefined, data: 'last' },
      ])
    }
  })
})
