import { describe, expect, it } from 'vitest'
import type { ChunkReader } from '../providers/upstream.js'
import { limitedReader } from './upstream-limits.js'

const bytes = (s: string) => new TextEncoder().encode(s)

/** An upstream body that gives `chunks` and then, unless `end`, never another. */
function upstream(chunks: string[], end = true): ReadableStream<Uint8Array> {
  let i = 0
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (i < chunks.length) controller.enqueue(bytes(chunks[i++] as string))
        else if (end) controller.close()
        else return new Promise<void>(() => {})
      },
    },
    { highWaterMark: 0 },
  )
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function readAll(reader: ChunkReader, pauseMs = 0): Promise<string> {
  let text = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return text
    text += new TextDecoder().decode(value)
    if (pauseMs > 0) await sleep(pauseMs)
  }
}

describe('limitedReader', () => {
  it('fails a stream that goes silent, naming stream_idle_timeout', async () => {
    const body = limitedReader(upstream(['a'], false).getReader(), { maxBytes: 1024, idleMs: 50 }, 'up')
    await expect(readAll(body)).rejects.toThrow(
      /up sent nothing for 0.05 s \(router_settings.stream_idle_timeout\)/,
    )
  })

  it('does not count a slow client as a silent upstream', async () => {
    const body = limitedReader(upstream(['a', 'b', 'c']).getReader(), { maxBytes: 1024, idleMs: 40 }, 'up')
    expect(await readAll(body, 120)).toBe('abc')
  })

  it('fails an answer over maxBytes, naming max_response_size_mb, and cancels the upstream', async () => {
    let cancelled = false
    const big = new ReadableStream<Uint8Array>({
      pull: (c) => c.enqueue(new Uint8Array(600)),
      cancel: () => {
        cancelled = true
      },
    })
    const body = limitedReader(big.getReader(), { maxBytes: 1000, idleMs: 1000 }, 'up')
    await expect(readAll(body)).rejects.toThrow(/max_response_size_mb/)
    expect(cancelled).toBe(true)
  })

  it('passes a whole answer through unchanged', async () => {
    const body = limitedReader(upstream(['one ', 'two']).getReader(), { maxBytes: 1024, idleMs: 1000 }, 'up')
    expect(await readAll(body)).toBe('one two')
  })
})
