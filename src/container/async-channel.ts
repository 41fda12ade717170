/**
 * A single-consumer async queue: producers `push`, one consumer iterates. Used for the prompts fed to a live
 * Claude Code query (streaming-input mode) and for the lines of one turn handed to an HTTP response.
 */
export class AsyncChannel<T> implements AsyncIterable<T> {
  private readonly items: T[] = []
  private readonly waiting: ((result: IteratorResult<T, undefined>) => void)[] = []
  private closed = false

  get isClosed(): boolean {
    return this.closed
  }

  /** Queues `item`; false when the channel is already closed (the item is dropped). */
  push(item: T): boolean {
    if (this.closed) return false
    const waiter = this.waiting.shift()
    if (waiter !== undefined) waiter({ value: item, done: false })
    else this.items.push(item)
    return true
  }

  /** Ends the channel: items already queued are still delivered, then iteration stops. */
  close(): void {
    if (this.closed) return
    this.closed = true
    for (const waiter of this.waiting.splice(0)) waiter({ value: undefined, done: true })
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift() as T, done: false })
    if (this.closed) return Promise.resolve({ value: undefined, done: true })
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return {
      next: () => this.next(),
      return: async () => ({ value: undefined, done: true }),
    }
  }
}
