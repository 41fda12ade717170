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
    expect(queue.waitingCount).toBe(0)
  })

  it('counts only the turns waiting behind the running one, not the one that runs or has ended', async () => {
    const queue = new TurnQueue()
    const seen: number[] = []
    const turn = () =>
      queue.enqueue(async () => {
        seen.push(queue.waitingCount)
        await tick(1)
        // Where a turn reports its end: it still runs, and only what was queued after it waits.
        seen.push(queue.waitingCount)
      })
    expect(queue.waitingCount).toBe(0)
    const all = Promise.all([turn(), turn(), turn()])
    expect(queue.waitingCount).toBe(3)
    await all
    expect(seen).toEqual([2, 2, 1, 1, 0, 0])
    expect(queue.waitingCount).toBe(0)
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

  it('withdraws a waiting turn by its key: it runs stale, the others run as queued', async () => {
    const queue = new TurnQueue()
    const seen: string[] = []
    const turn = (name: string, key: number) =>
      queue.enqueue(async (ctx) => {
        seen.push(`${name} ${ctx.isCurrent() ? 'runs' : 'skipped'}`)
        await tick(5)
      }, key)
    const all = Promise.all([turn('a', 1), turn('b', 2), turn('c', 3)])
    await tick(1)
    expect(queue.waitingCount).toBe(2)
    expect(queue.withdraw(2)).toBe(true)
    expect(queue.withdraw(2)).toBe(false)
    expect(queue.waitingCount).toBe(1)
    expect(queue.withdraw(1)).toBe(false) // already running
    await all
    expect(seen).toEqual(['a runs', 'b skipped', 'c runs'])
    expect(queue.waitingCount).toBe(0)
  })
})
