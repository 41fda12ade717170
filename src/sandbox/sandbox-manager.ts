/**
 * One container per session (seed: the ClaudeCodeContainer Durable Object): started on first need, reused
 * while it lives, replaced when it died, stopped on request or all at once on shutdown. Concurrent `ensure`
 * calls for one session share one start.
 *
 * Later (lifecycle issue): idle sleep (SLEEP_AFTER) and MAX_INSTANCES hook in at `ensure` via `lastUsedAt`.
 */
import { defaultContainerCommand } from './default-command.js'
import {
  type SandboxDriver,
  type SandboxHandle,
  type SandboxLogger,
  type SandboxSpec,
  silentLogger,
} from './types.js'

export interface SandboxManagerOptions {
  driver: SandboxDriver
  /** Default: `[process.execPath, <package root>/dist/container/main.js]` (see default-command.ts). */
  command?: string[]
  /** How long a container may take to answer its health check. */
  startTimeoutMs?: number
  /** Between SIGTERM and SIGKILL when stopping. */
  stopGraceMs?: number
  logger?: SandboxLogger
}

interface Entry {
  handle: SandboxHandle
  alive: boolean
  stopping: boolean
  /** For idle sleep / LRU eviction. */
  lastUsedAt: number
}

export class SandboxManager {
  readonly driver: SandboxDriver
  private readonly command: string[]
  private readonly logger: SandboxLogger
  private readonly entries = new Map<string, Entry>()
  private readonly starting = new Map<string, Promise<SandboxHandle>>()

  constructor(private readonly options: SandboxManagerOptions) {
    this.driver = options.driver
    this.command = options.command ?? defaultContainerCommand()
    this.logger = options.logger ?? silentLogger
  }

  /** The running container of `spec.sessionId`, started (or replaced, when it died) if needed. */
  ensure(spec: SandboxSpec): Promise<SandboxHandle> {
    const entry = this.entries.get(spec.sessionId)
    if (entry?.alive === true && !entry.stopping) {
      entry.lastUsedAt = Date.now()
      return Promise.resolve(entry.handle)
    }
    const pending = this.starting.get(spec.sessionId)
    if (pending !== undefined) return pending
    const start = this.start(spec).finally(() => this.starting.delete(spec.sessionId))
    this.starting.set(spec.sessionId, start)
    return start
  }

  get(sessionId: string): SandboxHandle | undefined {
    const entry = this.entries.get(sessionId)
    return entry?.alive === true ? entry.handle : undefined
  }

  running(): SandboxHandle[] {
    return [...this.entries.values()].filter((e) => e.alive).map((e) => e.handle)
  }

  async stop(sessionId: string): Promise<void> {
    const pending = this.starting.get(sessionId)
    if (pending !== undefined) await pending.catch(() => undefined)
    const entry = this.entries.get(sessionId)
    if (entry === undefined) return
    entry.stopping = true
    this.entries.delete(sessionId)
    await entry.handle.stop()
    this.logger.info({ sessionId, driver: entry.handle.driver }, 'container stopped')
  }

  /** Stops every container (and any still starting); nothing of them runs afterwards. */
  async stopAll(): Promise<void> {
    const ids = new Set([...this.entries.keys(), ...this.starting.keys()])
    await Promise.all([...ids].map((id) => this.stop(id)))
  }

  private async start(spec: SandboxSpec): Promise<SandboxHandle> {
    const previous = this.entries.get(spec.sessionId)
    if (previous !== undefined) {
      // A dead (or dying) container: make sure it is gone before its replacement takes the socket.
      this.entries.delete(spec.sessionId)
      await previous.handle.stop()
    }
    const startedAt = Date.now()
    const handle = await this.driver.start(spec, this.command, {
      startTimeoutMs: this.options.startTimeoutMs,
      stopGraceMs: this.options.stopGraceMs,
      logger: this.logger,
    })
    const entry: Entry = { handle, alive: true, stopping: false, lastUsedAt: Date.now() }
    this.entries.set(spec.sessionId, entry)
    this.logger.info(
      { sessionId: spec.sessionId, driver: handle.driver, pid: handle.pid, ms: Date.now() - startedAt },
      'container started',
    )
    void handle.exited.then(({ code, signal }) => {
      entry.alive = false
      if (this.entries.get(spec.sessionId) === entry) this.entries.delete(spec.sessionId)
      if (!entry.stopping) {
        this.logger.warn(
          { sessionId: spec.sessionId, pid: handle.pid, code, signal },
          'container exited unexpectedly',
        )
      }
    })
    return handle
  }
}
