/**
 * The sessions waiting for a sandbox slot while MAX_INSTANCES busy containers run: first come, first served.
 * Each waiter is told its position whenever it moves; one whose signal aborts leaves the line; the manager
 * takes the head when a slot frees and settles it with the container's start.
 */
import type { SandboxHandle, SandboxLogger, SandboxSpec } from './types.js'
import type { PoolMember } from './warm-pool.js'

export interface WaitInfo {
  /** 1 = next in line. */
  position: number
  running: number
  max: number
}

export interface EnsureOptions {
  /** Called when the container cannot start yet because MAX_INSTANCES busy ones run (and when the position moves). */
  onWait?: (info: WaitInfo) => void
  /** Gives up waiting (rejects with the signal's reason). */
  signal?: AbortSignal
  /**
   * Makes a warm pool member the session's (its folders, its router token; see warm-pool.ts). Given only for
   * a session with nothing to resume: with it, `ensure` takes a pool member when there is one. A rejection
   * stops the member, and the session's container starts as usual.
   */
  adopt?: (member: PoolMember) => Promise<void>
}

interface Waiter {
  spec: SandboxSpec
  options: EnsureOptions
  promise: Promise<SandboxHandle>
  resolve: (handle: Promise<SandboxHandle>) => void
  reject: (err: unknown) => void
  lastPosition: number
  cleanup: () => void
}

export class SlotQueue {
  private readonly waiters: Waiter[] = []

  constructor(
    /** Containers running now, and the most that may. */
    private readonly slots: () => { running: number; max: number },
    private readonly logger: SandboxLogger,
  ) {}

  get length(): number {
    return this.waiters.length
  }

  /** The pending start of `sessionId`, when it waits. */
  waiting(sessionId: string): Promise<SandboxHandle> | undefined {
    return this.waiters.find((w) => w.spec.sessionId === sessionId)?.promise
  }

  /** Puts `spec` in line; resolves with its container once the manager lets it in. */
  add(spec: SandboxSpec, options: EnsureOptions): Promise<SandboxHandle> {
    let resolve: (handle: Promise<SandboxHandle>) => void = () => {}
    let reject: (err: unknown) => void = () => {}
    const promise = new Promise<SandboxHandle>((res, rej) => {
      resolve = res
      reject = rej
    })
    const onAbort = () => {
      this.drop(waiter)
      reject(options.signal?.reason ?? new DOMException('This operation was aborted', 'AbortError'))
    }
    const waiter: Waiter = {
      spec,
      options,
      promise,
      resolve,
      reject,
      lastPosition: 0,
      cleanup: () => options.signal?.removeEventListener('abort', onAbort),
    }
    if (options.signal?.aborted) {
      onAbort()
      return promise
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    this.waiters.push(waiter)
    this.logger.info(
      { sessionId: spec.sessionId, position: this.waiters.length, max: this.slots().max },
      'waiting for a free sandbox slot',
    )
    this.notifyPositions()
    return promise
  }

  /** The spec at the head of the line, if any. */
  head(): SandboxSpec | undefined {
    return this.waiters[0]?.spec
  }

  /** Takes the head out of line and settles its wait with `start`. */
  admitHead(start: (spec: SandboxSpec) => Promise<SandboxHandle>): void {
    const head = this.waiters.shift()
    if (head === undefined) return
    head.cleanup()
    head.resolve(start(head.spec))
  }

  /** Takes `sessionId` out of line and rejects its wait with `err`. */
  reject(sessionId: string, err: unknown): void {
    const waiter = this.waiters.find((w) => w.spec.sessionId === sessionId)
    if (waiter === undefined) return
    this.drop(waiter)
    waiter.reject(err)
  }

  /** Empties the line, rejecting every wait with `err`. */
  rejectAll(err: unknown): void {
    for (const waiter of this.waiters.splice(0)) {
      waiter.cleanup()
      waiter.reject(err)
    }
  }

  /** Tells every waiter whose position changed where it stands. */
  notifyPositions(): void {
    const { running, max } = this.slots()
    this.waiters.forEach((waiter, index) => {
      if (waiter.lastPosition === index + 1) return
      waiter.lastPosition = index + 1
      try {
        waiter.options.onWait?.({ position: index + 1, running, max })
      } catch {
        // a listener's failure must not break the queue
      }
    })
  }

  private drop(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter)
    if (index === -1) return
    this.waiters.splice(index, 1)
    waiter.cleanup()
    this.notifyPositions()
  }
}
