import { describe, expect, it } from 'vitest'
import { TurnQueue } from './turn-queue.js'

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('TurnQueue', () => {
  it('runs turns one at a time in submission order', async () => {
    const queue = new TurnQueue()
    const log: string[] = []
    const turn = (name: string, ms: number) =>
      queue.enqueue(async () => {
        log.push(`start ${name}`)
        await tick(ms)
        log.push(`end ${name}`)
        return name
      })
    const results = await Promise.all([turn('a', 20), turn('b', 1), turn('c', 5)])
    expect(results).toEqual(['a', 'b', 'c'])
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c'])
  })

  it('keeps going after a turn fails', async () => {
    const queue = new TurnQueue()
    const failed = queue.enqueue(async () => {
      throw new Error('boom')
    })
    const next = queue.enqueue(async () => 'next')
    await expect(failed).rejects.toThrow('boom')
    await expect(next).resolves.toBe('next')
    expect(queue.size).toBe(0)
  })

  it('marks queued and running turns stale after cancelAll', async () => {
    const queue = new TurnQueue()
    const seen: boolean[] = []
    const first = queue.enqueue(async (ctx) => {
      await tick(10)
      seen.push(ctx.isCurrent())
    })
    queue.cancelAll()
    const second = queue.enqueue(async (ctx) => {
      seen.push(ctx.isCurrent())
    })
    await Promise.all([first, second])
    expect(seen).toEqual([false, true])
  })
})
