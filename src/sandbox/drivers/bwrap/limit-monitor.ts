/**
 * Watches a running sandbox's cgroup for a limit hit: the first one seen kills the whole sandbox, and is then
 * its `exited` reason and the error of the run it broke. That run ends only once the sandbox has exited.
 */
import type { ChildProcess } from 'node:child_process'
import { AppError } from '../../../protocol/errors.js'
import { signalGroup } from '../../container-process.js'
import { type LimitSettings, limitHitMessage } from '../../limits.js'
import type { ContainerClient, SandboxExit, SandboxLogger } from '../../types.js'
import type { SandboxCgroup } from './cgroup.js'

const LIMIT_POLL_MS = 200

export interface WatchedSandbox {
  sessionId: string
  child: ChildProcess
  cgroup: SandboxCgroup | undefined
  settings: LimitSettings
  logger?: SandboxLogger
}

/** Polls a sandbox's cgroup (nothing to watch without one) until `stop()`. */
export class LimitMonitor {
  private hit: string | undefined
  private readonly timer: NodeJS.Timeout

  constructor(private readonly sandbox: WatchedSandbox) {
    this.timer = setInterval(this.check, LIMIT_POLL_MS)
    this.timer.unref()
  }

  /** The limit hit so far, if any; the first time one is seen, the whole sandbox is killed. */
  readonly check = (): string | undefined => {
    const { cgroup, child, settings, logger, sessionId } = this.sandbox
    if (this.hit !== undefined || cgroup === undefined) return this.hit
    const controller = cgroup.limitHit()
    if (controller === undefined) return undefined
    this.hit = limitHitMessage(controller, settings)
    logger?.warn({ sessionId, driver: 'bwrap', pid: child.pid }, this.hit)
    cgroup.killAll()
    signalGroup(child, 'SIGKILL')
    return this.hit
  }

  /** The limit hit, as last seen (without looking again). */
  get reason(): string | undefined {
    return this.hit
  }

  /** Stops polling, after a last look. */
  stop(): void {
    clearInterval(this.timer)
    this.check()
  }
}

/**
 * Wraps a client so a run broken by a limit says so instead of "connection broke". Such a run ends only once
 * the killed sandbox has exited: whoever runs the next turn then finds it gone and gets a fresh one, instead
 * of the dying one.
 */
export function explainingClient(
  client: ContainerClient,
  checkLimits: () => string | undefined,
  exited: Promise<SandboxExit>,
): ContainerClient {
  const settle = () => Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1_000))])
  /** The limit hit, once the sandbox it killed is gone; undefined when none was hit. */
  const limitHit = async (): Promise<string | undefined> => {
    const reason = checkLimits()
    if (reason !== undefined) await exited
    return reason
  }
  async function* run(options: Parameters<ContainerClient['run']>[0], signal?: AbortSignal) {
    const limitError = (reason: string) => ({ type: 'error', error: { type: 'api_error', message: reason } })
    try {
      for await (const line of client.run(options, signal)) {
        // A killed tool process can end the turn before the monitor's next look: check as lines arrive.
        const reason = await limitHit()
        if (reason !== undefined) {
          yield limitError(reason)
          return
        }
        yield line
      }
    } catch (err) {
      if (signal?.aborted) throw err
      await settle()
      const reason = await limitHit()
      if (reason !== undefined) throw new AppError('api_error', reason, { status: 502, cause: err })
      throw err
    }
    const reason = await limitHit()
    if (reason !== undefined) yield limitError(reason)
  }
  // Everything else of the client (whatever the interface grows) goes to it unchanged.
  return new Proxy(client, {
    get(target, property) {
      if (property === 'run') return run
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
