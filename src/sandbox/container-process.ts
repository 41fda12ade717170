/**
 * Supervision shared by every process-based driver (none now, bwrap later): waits until the spawned
 * container answers its health check (failing with the child's stderr tail), exposes `exited`, and stops
 * the whole process group with SIGTERM, then SIGKILL after a grace period.
 */
import type { ChildProcess } from 'node:child_process'
import { AppError } from '../protocol/errors.js'
import { createUnixSocketClient } from './container-client.js'
import { type DriverStartOptions, type SandboxExit, type SandboxHandle, silentLogger } from './types.js'

const DEFAULT_START_TIMEOUT_MS = 15_000
export const DEFAULT_STOP_GRACE_MS = 3_000
const STDERR_TAIL_CHARS = 4_000
const PROBE_INTERVAL_MS = 50
const PROBE_TIMEOUT_MS = 2_000

export interface SuperviseOptions extends DriverStartOptions {
  sessionId: string
  driver: string
  socketPath: string
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Signals the child's process group (it was spawned detached); falls back to the child alone. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    try {
      child.kill(signal)
    } catch {
      // already gone
    }
  }
}

/**
 * Watches a freshly spawned container process (spawned `detached`, stdio all pipes) and resolves with its
 * handle once it answers `GET /` on `socketPath`.
 */
export async function superviseContainerProcess(
  child: ChildProcess,
  options: SuperviseOptions,
): Promise<SandboxHandle> {
  const logger = options.logger ?? silentLogger
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS
  const graceMs = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS
  const label = `for session ${options.sessionId}`
  const fields = { sessionId: options.sessionId, driver: options.driver, pid: child.pid }

  let stderrTail = ''
  let spawnError: Error | undefined
  let exit: SandboxExit | undefined
  const exited = new Promise<SandboxExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal }
      // Claude Code processes the container started die with their group.
      signalGroup(child, 'SIGKILL')
      resolve(exit)
    })
    // 'on', not 'once': a failed kill() of a live child emits 'error' too.
    child.on('error', (err) => {
      spawnError = err
      if (child.pid === undefined) {
        exit = { code: null, signal: null }
        resolve(exit)
      }
    })
  })
  child.stdin?.on('error', () => {})
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (text: string) => {
    stderrTail = (stderrTail + text).slice(-STDERR_TAIL_CHARS)
    for (const line of text.split('\n'))
      if (line.trim() !== '') logger.info({ ...fields, stream: 'stderr' }, line)
  })
  // The container prints `{"event":"listening",…}` once it serves: that ends the wait between health probes
  // at once instead of at the next poll.
  let wake: (() => void) | undefined
  child.stdout?.setEncoding('utf8')
  child.stdout?.on('data', (text: string) => {
    if (text.includes('"event":"listening"')) wake?.()
  })
  const pause = () =>
    new Promise<void>((resolve) => {
      wake = resolve
      setTimeout(resolve, PROBE_INTERVAL_MS)
    })
  // Neither the child nor its pipes keep the host alive; if the host dies, the stdin pipe closes and the
  // container (CONTAINER_EXIT_ON_STDIN_END) exits too.
  child.unref()
  for (const stream of [child.stdin, child.stdout, child.stderr])
    (stream as { unref?: () => void } | null)?.unref?.()

  const client = createUnixSocketClient(options.socketPath, label)
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exit !== undefined) return
      signalGroup(child, 'SIGTERM')
      const timer = sleep(graceMs).then(() => 'timeout' as const)
      if ((await Promise.race([exited, timer])) === 'timeout') {
        logger.warn(fields, `container ${label} ignored SIGTERM for ${graceMs} ms; sending SIGKILL`)
        signalGroup(child, 'SIGKILL')
        await exited
      }
    })()
    return stopping
  }

  const tail = () => (stderrTail.trim() === '' ? '(no stderr output)' : stderrTail.trim())
  const deadline = Date.now() + startTimeoutMs
  for (;;) {
    if (spawnError !== undefined && child.pid === undefined) {
      throw new AppError('api_error', `could not start the container ${label}: ${spawnError.message}`, {
        cause: spawnError,
      })
    }
    if (exit !== undefined) {
      throw new AppError(
        'api_error',
        `the container ${label} exited during start (code ${exit.code}, signal ${exit.signal}); stderr: ${tail()}`,
      )
    }
    if (Date.now() > deadline) {
      await stop()
      throw new AppError(
        'timeout_error',
        `the container ${label} did not answer on ${options.socketPath} within ${startTimeoutMs} ms; stderr: ${tail()}`,
        { retryable: true },
      )
    }
    try {
      await Promise.race([
        client.health(),
        sleep(PROBE_TIMEOUT_MS).then(() => Promise.reject(new Error('health check timed out'))),
      ])
      break
    } catch {
      await pause()
    }
  }
  logger.info({ ...fields, socketPath: options.socketPath }, `container ${label} is up`)

  return { sessionId: options.sessionId, driver: options.driver, pid: child.pid, client, exited, stop }
}
