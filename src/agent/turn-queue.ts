/**
 * Runs a session's turns one at a time, in the order they were submitted (a promise chain). A generation
 * counter lets a caller cancel everything queued or running: a cancelled turn's late work sees `isCurrent()`
 * turn false and drops its events instead of publishing them.
 */
export interface TurnContext {
  generation: number
  isCurrent(): boolean
}

export class TurnQueue {
  private tail: Promise<unknown> = Promise.resolve()
  private generation = 0
  private waiting = 0

  /** Number of turns queued behind the running one (not counting it). */
  get waitingCount(): number {
    return this.waiting
  }

  enqueue<T>(run: (ctx: TurnContext) => Promise<T>): Promise<T> {
    const generation = this.generation
    const ctx: TurnContext = { generation, isCurrent: () => generation === this.generation }
    this.waiting++
    const result = this.tail.then(() => {
      this.waiting--
      return run(ctx)
    })
    this.tail = result.then(
      () => {},
      () => {},
    )
    return result
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
