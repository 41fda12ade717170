/**
 * `start` of the bwrap driver: a confined sandbox (see spawn-sandboxed.ts) supervised until its container
 * server answers, watched for limit hits, and stopped by asking the container server first.
 */
import { readFileSync } from 'node:fs'
import { AppError } from '../../../protocol/errors.js'
import { DEFAULT_STOP_GRACE_MS, superviseContainerProcess } from '../../container-process.js'
import type { DriverStartOptions, SandboxExit, SandboxHandle, SandboxSpec } from '../../types.js'
import { INSIDE } from './args.js'
import { explainingClient, LimitMonitor } from './limit-monitor.js'
import type { ParkedPool } from './parked-pool.js'
import type { SandboxSetup } from './setup.js'
import { spawnSandboxed } from './spawn-sandboxed.js'

/** Starts `command` for `spec`; resolves once its container server answers its health check. */
export async function startSandbox(
  setup: SandboxSetup,
  pool: ParkedPool,
  spec: SandboxSpec,
  command: string[],
  startOptions: DriverStartOptions,
): Promise<SandboxHandle> {
  if (command[0] === undefined) throw new AppError('invalid_config', 'sandbox command is empty')
  const { child, cgroup, confined, hostSocket } = spawnSandboxed(setup, pool, spec, command)
  let confineError: unknown
  confined.catch((err: unknown) => {
    confineError = err
  })
  const monitor = new LimitMonitor({
    sessionId: spec.sessionId,
    child,
    cgroup,
    settings: setup.settings,
    logger: startOptions.logger,
  })
  const cleanup = async () => {
    monitor.stop()
    hostSocket.release()
    await cgroup?.remove()
  }
  let handle: SandboxHandle
  try {
    handle = await superviseContainerProcess(child, {
      ...startOptions,
      sessionId: spec.sessionId,
      driver: 'bwrap',
      socketPath: hostSocket.path,
    })
  } catch (err) {
    child.kill('SIGKILL')
    await cleanup()
    throw confineError ?? err
  } finally {
    // The next start of this command takes a parked sandbox; park it now that this one is up.
    pool.refill(command)
  }
  const exited: Promise<SandboxExit> = handle.exited.then(async (exit) => {
    await cleanup()
    const { reason } = monitor
    return reason === undefined ? exit : { ...exit, reason }
  })
  return {
    ...handle,
    exited,
    stop: async () => {
      // The group signal `handle.stop` sends reaches bwrap alone (the sandbox has its own session), and
      // bwrap's death kills everything inside at once: the container server gets SIGTERM first, to end
      // its runs (and Claude Code's transcripts) cleanly.
      const server = child.pid === undefined ? undefined : containerServerPid(child.pid)
      if (server !== undefined) {
        try {
          process.kill(server, 'SIGTERM')
        } catch {
          // gone
        }
        const graceMs = startOptions.stopGraceMs ?? DEFAULT_STOP_GRACE_MS
        const timer = new Promise((resolve) => setTimeout(resolve, graceMs).unref())
        if ((await Promise.race([exited.then(() => 'exited'), timer])) === 'exited') return
      }
      await handle.stop()
      await exited
    },
    client: explainingClient(handle.client, monitor.check, exited),
    workspacePath: INSIDE.workspace,
    limits: setup.plan.limits,
  }
}

/** The host pid of the sandboxed command: bwrap's child is the sandbox's init, whose child it is. */
function containerServerPid(bwrapPid: number): number | undefined {
  const childrenOf = (pid: number) =>
    readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number)
  try {
    const init = childrenOf(bwrapPid)[0]
    return init === undefined ? undefined : childrenOf(init)[0]
  } catch {
    return undefined
  }
}
