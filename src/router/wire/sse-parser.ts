/**
 * A Server-Sent Events decoder (WHATWG rules) over a byte stream: events split across reads, several events
 * in one read, `\r\n` / `\r` / `\n` line ends (also split between reads), multi-byte UTF-8 characters split
 * between reads, comments and multi-line `data:` fields.
 */

export interface SseEvent {
  event: string | undefined
  data: string
}

export class SseParser {
  private readonly decoder = new TextDecoder()
  private buffer = ''
  private event: string | undefined
  private readonly data: string[] = []

  /** Feeds bytes; returns the events completed by them (appended to `into` when given). */
  push(bytes: Uint8Array, into: SseEvent[] = []): SseEvent[] {
    this.buffer += this.decoder.decode(bytes, { stream: true })
    return this.drain(false, into)
  }

  /** Ends the input; returns a last event that had no blank line after it (appended to `into` when given). */
  end(into: SseEvent[] = []): SseEvent[] {
    this.buffer += this.decoder.decode()
    const events = this.drain(true, into)
    if (this.buffer !== '') {
      this.line(this.buffer, events)
      this.buffer = ''
    }
    this.line('', events)
    return events
  }

  private drain(final: boolean, events: SseEvent[]): SseEvent[] {
    const buffer = this.buffer
    let start = 0
    if (buffer.indexOf('\r') < 0) {
      // The usual case, `\n` only: jump from line end to line end (a `data: ` line's value cut out at once).
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n', start)) {
        if (i - start > 6 && buffer.startsWith('data: ', start)) this.data.push(buffer.slice(start + 6, i))
        else this.line(buffer.slice(start, i), events)
        start = i + 1
      }
      this.buffer = start === 0 ? buffer : buffer.slice(start)
      return events
    }
    for (let i = 0; i < buffer.length; i++) {
      const ch = buffer.charCodeAt(i)
      if (ch !== 10 && ch !== 13) continue
      // A `\r` at the very end may be the first half of `\r\n`: wait for the next read.
      if (ch === 13 && i === buffer.length - 1 && !final) break
      this.line(buffer.slice(start, i), events)
      if (ch === 13 && buffer.charCodeAt(i + 1) === 10) i++
      start = i + 1
    }
    this.buffer = buffer.slice(start)
    return events
  }

  private line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.data.length > 0) {
        events.push({
          event: this.event,
          data: this.data.length === 1 ? (this.data[0] as string) : this.data.join('\n'),
        })
        this.data.length = 0
      }
      this.event = undefined
      return
    }
    if (line.charCodeAt(0) === 58 /* : */) return
    if (line.startsWith('data: ')) {
      this.data.push(line.slice(6))
      return
    }
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') this.data.push(value)
    else if (field === 'event') this.event = value
  }
}

/** Decodes a byte stream into SSE events. */
export async function* readSseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const parser = new SseParser()
  const reader = body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      yield* parser.push(value)
    }
    yield* parser.end()
  } finally {
    reader.releaseLock()
  }
}
