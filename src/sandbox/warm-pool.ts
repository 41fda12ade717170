/**
 * The warm pool (POOL_SIZE): sandboxes started before any session needs them, their container server up and
 * Claude Code booted for a new session's first turn, waiting. A new session takes one (SandboxManager.ensure
 * with `adopt`) instead of starting its own; the pool refills only when the manager says there is room —
 * under MAX_INSTANCES, nobody waiting for a slot, no turn running — so a refill never competes with a turn
 * for the CPU. A member is taken out of the pool before anything else happens to it, so no two sessions
 * ever get the same one; a member that dies is replaced; `close` stops every member, started or starting.
 */
import type { SandboxHandle, SandboxLogger, SandboxSpec } from './types.js'

/**
 * After a member failed to start, the next try waits this long, doubled after each failure in a row up to
 * `MAX_RETRY_MS` (unless something else asks for a fill first).
 */
const RETRY_MS = 5_000
const MAX_RETRY_MS = 300_000

export interface PoolMember {
  /** `pool-<n>`: its name in logs and in its folders. */
  id: string
  spec: SandboxSpec
  handle: SandboxHandle
}

/** Where members come from and go to (the host's session layout: folders, router tokens). */
export interface PoolSource {
  /** Member `id`'s spec: folders of its own, a router token bound to no session, the boot options. */
  spec(id: string): SandboxSpec
  /** Cleans up after a member no session took (its folders, its token), once it has stopped. */
  discard(spec: SandboxSpec): void
}

export interface PoolStatus {
  /** POOL_SIZE. */
  size: number
  /** Members booted and waiting. */
  ready: number
  /** Members starting (not yet promised to a session). */
  starting: number
}

interface Starting {
  promise: Promise<PoolMember | undefined>
  /** Promised to a session (or to a stop) already: it never joins the ready members. */
  promised: boolean
}

export interface WarmPoolOptions {
  size: number
  source: PoolSource
  /** Starts a sandbox (the driver's start with the manager's command and options). */
  start: (spec: SandboxSpec) => Promise<SandboxHandle>
  /** True when one more sandbox may start now. */
  room: () => boolean
  logger: SandboxLogger
}

export class WarmPool {
  readonly size: number
  private readonly ready: PoolMember[] = []
  private readonly starting = new Map<string, Starting>()
  private readonly stopping = new Set<Promise<void>>()
  /** Members whose process has exited. */
  private readonly gone = new WeakSet<PoolMember>()
  private counter = 0
  private closed = false
  private retryTimer: NodeJS.Timeout | undefined
  private retryMs = RETRY_MS

  constructor(private readonly options: WarmPoolOptions) {
    this.size = Math.max(0, options.size)
  }

  /** Sandboxes of the pool that hold a slot: ready members and those starting for the pool. */
  get count(): number {
    let starting = 0
    for (const entry of this.starting.values()) if (!entry.promised) starting++
    return this.ready.length + starting
  }

  status(): PoolStatus {
    return { size: this.size, ready: this.ready.length, starting: this.count - this.ready.length }
  }

  /** Starts members while the pool is short of its size and the manager has room. */
  fill(): void {
    while (!this.closed && this.count < this.size && this.options.room()) if (!this.startMember()) return
  }

  /**
   * A member for a session, taken out of the pool: a ready one, else one still starting (waiting for it is
   * never slower than starting another); undefined when the pool has none. The promise resolves to
   * undefined when the starting member failed.
   */
  take(): Promise<PoolMember | undefined> | undefined {
    const member = this.ready.shift()
    if (member !== undefined) return Promise.resolve(member)
    for (const entry of this.starting.values()) {
      if (entry.promised) continue
      entry.promised = true
      return entry.promise
    }
    return undefined
  }

  /** Stops one member to make room for a session's sandbox; undefined when the pool has none to stop. */
  evict(): Promise<void> | undefined {
    const member = this.ready.pop()
    if (member !== undefined) {
      this.options.logger.info({ member: member.id }, 'warm pool member stopped to make room')
      return this.dispose(member)
    }
    const taken = this.take()
    return taken?.then((late) => (late === undefined ? undefined : this.dispose(late)))
  }

  /**
   * The member `taken` resolves to (see `take`), made session `sessionId`'s by `adopt`; undefined when there
   * was none after all, it died, the pool is closing, or adopting failed (the member is then stopped).
   */
  async handOver(
    taken: Promise<PoolMember | undefined>,
    sessionId: string,
    adopt: (member: PoolMember) => Promise<void>,
  ): Promise<PoolMember | undefined> {
    const member = await taken
    if (member === undefined) return undefined
    if (this.closed || this.gone.has(member)) {
      await this.dispose(member)
      return undefined
    }
    try {
      await adopt(member)
    } catch (err) {
      this.options.logger.warn(
        { sessionId, member: member.id, err: err instanceof Error ? err.message : String(err) },
        'could not hand a warm pool member to the session; starting a container for it',
      )
      await this.dispose(member)
      return undefined
    }
    this.options.logger.info({ sessionId, member: member.id }, 'container taken from the warm pool')
    return member
  }

  /** Stops a member and cleans up after it (one that a session could not take, or at shutdown). */
  dispose(member: PoolMember): Promise<void> {
    const stopped = member.handle
      .stop()
      .catch((err: unknown) => {
        this.options.logger.warn(
          { member: member.id, err: err instanceof Error ? err.message : String(err) },
          'could not stop a warm pool member',
        )
      })
      .finally(() => {
        this.stopping.delete(stopped)
        this.options.source.discard(member.spec)
      })
    this.stopping.add(stopped)
    return stopped
  }

  /** Stops every member (ready, starting, being stopped) and starts no more; resolves when none runs. */
  async close(): Promise<void> {
    this.closed = true
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer)
    const members = this.ready.splice(0)
    await Promise.all([
      ...members.map((member) => this.dispose(member)),
      // A starting member sees `closed` when it is up and stops itself.
      ...[...this.starting.values()].map((entry) => entry.promise),
    ])
    await Promise.all([...this.stopping])
  }

  /** Starts one member; false when it could not even begin (tried again later). */
  private startMember(): boolean {
    const id = `pool-${++this.counter}`
    let spec: SandboxSpec
    try {
      spec = this.options.source.spec(id)
    } catch (err) {
      // Its folders could not be made (say, the disk is full): no member now, another try later.
      this.options.logger.warn(
        { member: id, err: err instanceof Error ? err.message : String(err) },
        'could not start a warm pool member',
      )
      this.retryLater()
      return false
    }
    const startedAt = Date.now()
    const entry: Starting = { promise: this.boot(id, spec), promised: false }
    this.starting.set(id, entry)
    void entry.promise.then((member) => {
      this.starting.delete(id)
      if (member === undefined) {
        this.retryLater()
        return
      }
      this.retryMs = RETRY_MS
      this.options.logger.info({ member: id, ms: Date.now() - startedAt }, 'warm pool member ready')
      void member.handle.exited.then(() => {
        this.gone.add(member)
        this.lost(member)
      })
      if (!entry.promised) this.ready.push(member)
    })
    return true
  }

  /** Starts member `id` and waits for its Claude Code to boot; undefined (cleaned up) when it could not. */
  private async boot(id: string, spec: SandboxSpec): Promise<PoolMember | undefined> {
    let handle: SandboxHandle | undefined
    try {
      handle = await this.options.start(spec)
      await handle.client.ready()
    } catch (err) {
      this.options.logger.warn(
        { member: id, err: err instanceof Error ? err.message : String(err) },
        'could not start a warm pool member',
      )
      if (handle !== undefined) await handle.stop().catch(() => undefined)
      this.options.source.discard(spec)
      return undefined
    }
    const member = { id, spec, handle }
    if (!this.closed) return member
    await this.dispose(member)
    return undefined
  }

  /** A ready member exited on its own: it leaves the pool, and another is started in its place. */
  private lost(member: PoolMember): void {
    const index = this.ready.indexOf(member)
    if (index === -1) return
    this.ready.splice(index, 1)
    this.options.logger.warn({ member: member.id }, 'warm pool member exited; replacing it')
    this.options.source.discard(member.spec)
    this.fill()
  }

  private retryLater(): void {
    if (this.closed || this.retryTimer !== undefined) return
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.fill()
    }, this.retryMs)
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2)
    this.retryTimer.unref()
  }
}
