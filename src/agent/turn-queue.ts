/**
 * Runs a session's turns one at a time, in the order they were submitted (a promise chain). A generation
 * counter lets a caller cancel everything queued or running: a cancelled turn's late work sees `isCurrent()`
 * turn false and drops its events instead of publishing them. A turn still waiting can be withdrawn on its
 * own by the key it was queued with; when its place comes, it runs with `isCurrent()` false.
 */
export interface TurnContext {
  generation: number
  isCurrent(): boolean
}

export class TurnQueue {
  private tail: Promise<unknown> = Promise.resolve()
  private generation = 0
  /** Turns queued behind the running one, by key; a withdrawn one is no longer here. */
  private readonly waiting = new Map<unknown, { withdrawn: boolean }>()

  /** Number of turns queued behind the running one (not counting it, nor withdrawn ones). */
  get waitingCount(): number {
    return this.waiting.size
  }

  enqueue<T>(run: (ctx: TurnContext) => Promise<T>, key: unknown = Symbol()): Promise<T> {
    const generation = this.generation
    const entry = { withdrawn: false }
    const ctx: TurnContext = {
      generation,
      isCurrent: () => !entry.withdrawn && generation === this.generation,
    }
    this.waiting.set(key, entry)
    const result = this.tail.then(() => {
      if (this.waiting.get(key) === entry) this.waiting.delete(key)
      return run(ctx)
    })
    this.tail = result.then(
      () => {},
      () => {},
    )
    return result
  }

  /** Withdraws a turn that has not started yet; false when there is none waiting with that key. */
  withdraw(key: unknown): boolean {
    const entry = this.waiting.get(key)
    if (entry === undefined) return false
    entry.withdrawn = true
    this.waiting.delete(key)
    return true
  }

  /** Invalidates every queued and running turn (their contexts stop being current). */
  cancelAll(): void {
    this.generation++
  }

  /** Resolves when everything queued so far has finished. */
  async idle(): Promise<void> {
    await this.tail
  }
}
