/**
 * Wraps a container's client for the SandboxManager: counts runs in flight (a sandbox is busy while one
 * runs, and idle otherwise, which is what idle sleep and eviction go by), and turns a run broken by the
 * sandbox's death into an error that says so.
 */
import { AppError } from '../protocol/errors.js'
import type { ContainerClient, SandboxExit } from './types.js'

/** How long a broken run waits for the process's exit to show, to tell "it died" from "the link broke". */
const EXIT_SETTLE_MS = 500

export interface Activity {
  /** A run started. */
  begin(): void
  /** A run ended (normally, with an error, or aborted). */
  end(): void
}

function describeExit(exit: SandboxExit): string {
  if (exit.reason !== undefined) return exit.reason
  const how = exit.signal !== null ? `signal ${exit.signal}` : `exit code ${exit.code}`
  return `the sandbox stopped unexpectedly (${how}); send the message again to start a fresh one`
}

export function trackedClient(
  client: ContainerClient,
  activity: Activity,
  exited: Promise<SandboxExit>,
  /** True when the manager stopped it on purpose (sleep, eviction, shutdown). */
  stoppedOnPurpose: () => boolean,
): ContainerClient {
  let exit: SandboxExit | undefined
  void exited.then((value) => {
    exit = value
  })
  const settledExit = async (): Promise<SandboxExit | undefined> => {
    if (exit !== undefined) return exit
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, EXIT_SETTLE_MS))])
    return exit
  }
  return {
    health: () => client.health(),
    debug: () => client.debug(),
    ready: () => client.ready(),
    respondPermission: (requestId, decision) => client.respondPermission(requestId, decision),
    async *run(options, signal) {
      activity.begin()
      let ended = false
      try {
        for await (const line of client.run(options, signal)) {
          const type = (line as { type?: unknown } | null)?.type
          if (type === 'result' || type === 'error') ended = true
          yield line
        }
        if (!ended && !signal?.aborted) {
          const gone = await settledExit()
          if (gone !== undefined && !stoppedOnPurpose())
            throw new AppError('api_error', describeExit(gone), { status: 502 })
        }
      } catch (err) {
        if (signal?.aborted || (err instanceof AppError && err.status < 500)) throw err
        const gone = await settledExit()
        if (gone === undefined) throw err
        const message = stoppedOnPurpose()
          ? 'the sandbox was stopped while the turn ran; send the message again'
          : describeExit(gone)
        throw new AppError('api_error', message, { status: 502, cause: err })
      } finally {
        activity.end()
      }
    },
  }
}
