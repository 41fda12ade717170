/**
 * One container per session (seed: the ClaudeCodeContainer Durable Object with `sleepAfter` and
 * `max_instances`): started on first need, reused while it lives, replaced when it died. A container is
 * busy while a run goes through its client and idle otherwise; after `sleepAfterMs` idle it is put to sleep
 * (the process stops, workspace and transcripts stay, the next `ensure` starts a fresh one that resumes).
 * At most `maxInstances` run at once: a new one first puts the least recently used idle one to sleep, or,
 * when all are busy, waits in a FIFO queue. `stopAll` stops everything and rejects the waiters.
 *
 * With a warm pool (`startPool`, see warm-pool.ts), a new session's `ensure` that says how to `adopt` a pool
 * member takes one instead of starting a sandbox. Pool members count against `maxInstances`, and are the
 * first to be stopped when a session needs room.
 */
import { AppError } from '../protocol/errors.js'
import { defaultContainerCommand } from './default-command.js'
import { type Entry, isIdle, leastRecentlyUsedIdle, newEntry } from './sandbox-entry.js'
import { type EnsureOptions, SlotQueue } from './slot-queue.js'
import { type PoolMember, type PoolSource, type PoolStatus, WarmPool } from './warm-pool.js'

export type { EnsureOptions, WaitInfo } from './slot-queue.js'

import { type Activity, trackedClient } from './tracked-client.js'
import {
  type SandboxDriver,
  type SandboxHandle,
  type SandboxLogger,
  type SandboxSpec,
  silentLogger,
} from './types.js'

/** After `ensure` hands out a container, it counts as busy this long unless a run starts (or ends) sooner. */
const RESERVE_MS = 10_000

export interface SandboxManagerOptions {
  driver: SandboxDriver
  /** Default: `[process.execPath, <package root>/dist/container/main.js]` (see default-command.ts). */
  command?: string[]
  /** How long a container may take to answer its health check. */
  startTimeoutMs?: number
  /** Between SIGTERM and SIGKILL when stopping. */
  stopGraceMs?: number
  /** Idle time after which a container is put to sleep (default: never). */
  sleepAfterMs?: number
  /** Containers running at once (default: unlimited). */
  maxInstances?: number
  logger?: SandboxLogger
}

/** Where a session's container is: `sleeping` = it ran before and was stopped (it resumes on next use). */
export type SandboxState = 'running' | 'starting' | 'waiting' | 'sleeping' | 'stopped'

export class SandboxManager {
  readonly driver: SandboxDriver
  readonly maxInstances: number
  private readonly command: string[]
  private readonly logger: SandboxLogger
  private readonly entries = new Map<string, Entry>()
  private readonly starting = new Map<string, Promise<SandboxHandle>>()
  /** Sessions whose container is being stopped (a new one must wait for the socket). */
  private readonly stoppingBySession = new Map<string, Promise<void>>()
  private readonly queue: SlotQueue
  /** Sessions that had a container which is no longer running (asleep; they resume on next use). */
  private readonly asleep = new Set<string>()
  /** Idle sleeps in progress (their processes still count against the cap). */
  private sleeping = 0
  private closed = false
  private pool: WarmPool | undefined

  constructor(private readonly options: SandboxManagerOptions) {
    this.driver = options.driver
    this.command = options.command ?? defaultContainerCommand()
    this.logger = options.logger ?? silentLogger
    this.maxInstances = Math.max(1, options.maxInstances ?? Number.POSITIVE_INFINITY)
    this.queue = new SlotQueue(() => ({ running: this.runningCount(), max: this.maxInstances }), this.logger)
    this.driver.prepare?.(this.command).catch((err: unknown) => {
      this.logger.warn(
        { driver: this.driver.name, err: err instanceof Error ? err.message : String(err) },
        'could not ready a sandbox ahead of need; sandboxes start without it',
      )
    })
  }

  /**
   * Keeps `size` sandboxes of `source` started ahead of need (see warm-pool.ts), filling the pool as room
   * allows from now on. Once only.
   */
  startPool(size: number, source: PoolSource): void {
    if (this.pool !== undefined || this.closed || size <= 0) return
    this.pool = new WarmPool({
      size,
      source,
      start: (spec) => this.driverStart(spec),
      room: () => this.poolRoom(),
      logger: this.logger,
    })
    this.pool.fill()
  }

  /** The warm pool's size and members (size 0 when there is none). */
  poolStatus(): PoolStatus {
    return this.pool?.status() ?? { size: 0, ready: 0, starting: 0 }
  }

  /**
   * The running container of `spec.sessionId`, started (or replaced, when it died or slept) if needed; with
   * `options.adopt`, a warm pool member when the pool has one. When MAX_INSTANCES busy containers run, waits
   * for one to become idle (telling `options.onWait`).
   */
  ensure(spec: SandboxSpec, options: EnsureOptions = {}): Promise<SandboxHandle> {
    if (this.closed)
      return Promise.reject(new AppError('api_error', 'the server is shutting down', { status: 503 }))
    const entry = this.entries.get(spec.sessionId)
    if (entry?.alive === true && !entry.stopping) {
      this.reserve(entry)
      return Promise.resolve(entry.handle)
    }
    const pending = this.starting.get(spec.sessionId)
    if (pending !== undefined) return pending
    const queued = this.queue.waiting(spec.sessionId)
    if (queued !== undefined) return queued
    if (this.queue.length === 0) {
      const member = options.adopt === undefined ? undefined : this.pool?.take()
      if (member !== undefined && options.adopt !== undefined)
        return this.launchFromPool(spec, member, options.adopt)
      if (this.hasSlot()) return this.launch(spec, undefined)
      const room = this.freeSlot(spec.sessionId)
      if (room !== undefined) return this.launch(spec, room)
    }
    return this.queue.add(spec, options)
  }

  get(sessionId: string): SandboxHandle | undefined {
    const entry = this.entries.get(sessionId)
    return entry?.alive === true ? entry.handle : undefined
  }

  running(): SandboxHandle[] {
    return [...this.entries.values()].filter((e) => e.alive).map((e) => e.handle)
  }

  state(sessionId: string): SandboxState {
    if (this.starting.has(sessionId)) return 'starting'
    if (this.queue.waiting(sessionId) !== undefined) return 'waiting'
    const entry = this.entries.get(sessionId)
    if (entry?.alive === true && !entry.stopping) return 'running'
    return this.asleep.has(sessionId) ? 'sleeping' : 'stopped'
  }

  /** True while a run goes through the session's container (or it was just handed out). */
  isBusy(sessionId: string): boolean {
    const entry = this.entries.get(sessionId)
    return entry !== undefined && !isIdle(entry)
  }

  /** Stops the session's container for good (it does not count as asleep); a waiting `ensure` is rejected. */
  async stop(sessionId: string): Promise<void> {
    this.queue.reject(
      sessionId,
      new AppError('api_error', `the sandbox of session ${sessionId} was stopped`, { status: 503 }),
    )
    const pending = this.starting.get(sessionId)
    if (pending !== undefined) await pending.catch(() => undefined)
    const entry = this.entries.get(sessionId)
    this.asleep.delete(sessionId)
    if (entry === undefined) return
    await this.stopEntry(sessionId, entry)
    this.asleep.delete(sessionId)
    this.logger.info({ sessionId, driver: entry.handle.driver }, 'container stopped')
  }

  /** Stops every container (and any still starting) and rejects waiting `ensure` calls; nothing runs afterwards. */
  async stopAll(): Promise<void> {
    this.closed = true
    this.queue.rejectAll(
      new AppError('api_error', 'the server is shutting down; the turn was not started', { status: 503 }),
    )
    const ids = new Set([...this.entries.keys(), ...this.starting.keys()])
    await Promise.all([...ids].map((id) => this.stop(id)))
    await Promise.all([...this.stoppingBySession.values()])
    await this.pool?.close()
    await this.driver.close?.()
  }

  private hasSlot(): boolean {
    return this.runningCount() + this.sleeping < this.maxInstances
  }

  /** Sandboxes that hold a slot: sessions' (running, starting) and the pool's. */
  private runningCount(): number {
    const sessions = [...this.entries.values()].filter((e) => e.alive && !e.stopping).length
    return sessions + this.starting.size + (this.pool?.count ?? 0)
  }

  /**
   * Room for a pool member: a free slot, nobody waiting for one, and nothing starting or running a turn, so
   * a refill never takes CPU from a turn.
   */
  private poolRoom(): boolean {
    if (this.closed || this.queue.length > 0 || this.starting.size > 0 || !this.hasSlot()) return false
    // A container just handed out counts as running a turn: its run is about to start.
    for (const entry of this.entries.values()) if (!isIdle(entry)) return false
    return true
  }

  /**
   * Frees a slot for `forSession`: stops a pool member, else puts the least recently used idle container to
   * sleep. Resolves once it has stopped; undefined when there is nothing to stop.
   */
  private freeSlot(forSession: string): Promise<void> | undefined {
    const evicted = this.pool?.evict()
    if (evicted !== undefined) return evicted
    const victim = leastRecentlyUsedIdle(this.entries)
    if (victim === undefined) return undefined
    this.logger.info({ sessionId: victim[0], for: forSession }, 'container put to sleep to make room')
    return this.stopEntry(victim[0], victim[1])
  }

  /** Starts the session's container once `making` (room being made for it) has settled. */
  private launch(spec: SandboxSpec, making: Promise<void> | undefined): Promise<SandboxHandle> {
    return this.track(spec.sessionId, async () => {
      await making
      await this.stoppingBySession.get(spec.sessionId)
      return this.start(spec)
    })
  }

  /**
   * Hands the pool member `member` resolves to to the session (`adopt`: its folders, its token); when there
   * is none after all, or adopting fails, the session's container starts as usual.
   */
  private launchFromPool(
    spec: SandboxSpec,
    member: Promise<PoolMember | undefined>,
    adopt: (member: PoolMember) => Promise<void>,
  ): Promise<SandboxHandle> {
    return this.track(spec.sessionId, async () => {
      await this.stoppingBySession.get(spec.sessionId)
      const adopted = await this.pool?.handOver(member, spec.sessionId, adopt)
      if (adopted === undefined) return this.start(spec)
      return this.register(spec, { ...adopted.handle, sessionId: spec.sessionId }, Date.now())
    })
  }

  /** Runs a session's start as `starting` (what `ensure` and `state` see), then lets waiters and the pool in. */
  private track(sessionId: string, run: () => Promise<SandboxHandle>): Promise<SandboxHandle> {
    const start = run().finally(() => {
      this.starting.delete(sessionId)
      this.drain()
    })
    this.starting.set(sessionId, start)
    return start
  }

  /** Lets waiters in while there is room (or an idle container to put to sleep). */
  private drain(): void {
    if (this.closed) return
    let moved = false
    while (this.queue.head() !== undefined) {
      let making: Promise<void> | undefined
      if (!this.hasSlot()) {
        making = this.freeSlot(this.queue.head()?.sessionId ?? '')
        if (making === undefined) break
      }
      this.queue.admitHead((spec) => this.launch(spec, making))
      moved = true
    }
    if (moved) this.queue.notifyPositions()
    this.pool?.fill()
  }

  /** Marks the entry busy for a moment after `ensure` handed it out, so it is not evicted before its run. */
  private reserve(entry: Entry): void {
    entry.lastUsedAt = Date.now()
    entry.reservedUntil = Date.now() + RESERVE_MS
    this.scheduleIdle(entry)
  }

  /** (Re)arms the entry's timer: reservation expiry first, then the idle sleep. */
  private scheduleIdle(entry: Entry): void {
    if (entry.timer !== undefined) clearTimeout(entry.timer)
    entry.timer = undefined
    if (!entry.alive || entry.stopping || entry.active > 0) return
    const reservedFor = entry.reservedUntil - Date.now()
    if (reservedFor > 0) {
      entry.timer = setTimeout(() => this.scheduleIdle(entry), reservedFor)
      entry.timer.unref()
      return
    }
    this.drain()
    const sleepAfterMs = this.options.sleepAfterMs
    if (sleepAfterMs === undefined || !Number.isFinite(sleepAfterMs) || entry.stopping) return
    entry.timer = setTimeout(() => {
      if (!isIdle(entry) || entry.stopping || !entry.alive) return
      const sessionId = entry.handle.sessionId
      this.logger.info({ sessionId, idleMs: Date.now() - entry.lastUsedAt }, 'container put to sleep (idle)')
      this.sleeping++
      void this.stopEntry(sessionId, entry).finally(() => {
        this.sleeping--
        this.drain()
      })
    }, sleepAfterMs)
    entry.timer.unref()
  }

  /** Stops one entry on purpose; the session counts as asleep until `stop(sessionId)` says otherwise. */
  private stopEntry(sessionId: string, entry: Entry): Promise<void> {
    entry.stopping = true
    if (entry.timer !== undefined) clearTimeout(entry.timer)
    if (this.entries.get(sessionId) === entry) this.entries.delete(sessionId)
    this.asleep.add(sessionId)
    const stopped = entry.handle
      .stop()
      .catch((err: unknown) => {
        // Whoever waits on a stop (idle sleep, eviction, shutdown) goes on; the process is beyond reach.
        this.logger.warn(
          { sessionId, err: err instanceof Error ? err.message : String(err) },
          'could not stop a container',
        )
      })
      .finally(() => {
        if (this.stoppingBySession.get(sessionId) === stopped) this.stoppingBySession.delete(sessionId)
      })
    this.stoppingBySession.set(sessionId, stopped)
    return stopped
  }

  private activity(entry: Entry): Activity {
    return {
      begin: () => {
        entry.active++
        entry.reservedUntil = 0
        entry.lastUsedAt = Date.now()
        if (entry.timer !== undefined) clearTimeout(entry.timer)
        entry.timer = undefined
      },
      end: () => {
        entry.active = Math.max(0, entry.active - 1)
        entry.lastUsedAt = Date.now()
        this.scheduleIdle(entry)
      },
    }
  }

  private driverStart(spec: SandboxSpec): Promise<SandboxHandle> {
    return this.driver.start(spec, this.command, {
      startTimeoutMs: this.options.startTimeoutMs,
      stopGraceMs: this.options.stopGraceMs,
      logger: this.logger,
    })
  }

  private async start(spec: SandboxSpec): Promise<SandboxHandle> {
    const startedAt = Date.now()
    return this.register(spec, await this.driverStart(spec), startedAt)
  }

  /** Makes `raw` the session's running container (watched, counted, put to sleep when idle). */
  private async register(spec: SandboxSpec, raw: SandboxHandle, startedAt: number): Promise<SandboxHandle> {
    const entry = newEntry(raw)
    entry.handle = {
      ...raw,
      client: trackedClient(raw.client, this.activity(entry), raw.exited, () => entry.stopping),
    }
    this.entries.set(spec.sessionId, entry)
    this.asleep.delete(spec.sessionId)
    this.reserve(entry)
    if (this.closed) {
      await this.stopEntry(spec.sessionId, entry)
      throw new AppError('api_error', 'the server is shutting down', { status: 503 })
    }
    this.logger.info(
      { sessionId: spec.sessionId, driver: raw.driver, pid: raw.pid, ms: Date.now() - startedAt },
      'container started',
    )
    void raw.exited.then((exit) => {
      entry.alive = false
      if (entry.timer !== undefined) clearTimeout(entry.timer)
      if (this.entries.get(spec.sessionId) === entry) {
        this.entries.delete(spec.sessionId)
        this.asleep.add(spec.sessionId)
      }
      if (!entry.stopping) {
        this.logger.warn(
          { sessionId: spec.sessionId, pid: raw.pid, ...exit },
          'container exited unexpectedly',
        )
      }
      this.drain()
    })
    return entry.handle
  }
}
