/**
 * Picks the sandbox driver for the `SANDBOX` setting at startup: `bwrap` when bubblewrap works here (probed
 * once by really running `bwrap … true`), `none` when asked, and for `auto` bwrap if it works, else none
 * with a warning. `SANDBOX=bwrap` on a machine where it does not work is a startup error that says why.
 */
import type { Env } from '../config/config.js'
import { AppError } from '../protocol/errors.js'
import { createBwrapDriver, probeBwrap } from './drivers/bwrap/index.js'
import { noneDriver } from './drivers/none.js'
import type { LimitSettings } from './limits.js'
import type { SandboxDriver, SandboxLogger } from './types.js'

export interface SelectDriverOptions {
  mode: 'auto' | 'bwrap' | 'none'
  /** Where bwrap keeps its generated files. */
  stateDir: string
  routerSocket: string
  egressSocket?: string
  limits: LimitSettings
  hostEnv: Env
  logger: SandboxLogger
  /** Default: the bwrap on PATH. */
  bwrapPath?: string
}

export function selectDriver(options: SelectDriverOptions): SandboxDriver {
  if (options.mode === 'none') return noneDriver
  const problem = probeBwrap(options.bwrapPath)
  if (problem !== undefined) {
    if (options.mode === 'bwrap') {
      throw new AppError(
        'invalid_config',
        `SANDBOX=bwrap, but bubblewrap does not work on this machine: ${problem}. Install it (apt-get install bubblewrap), allow unprivileged user namespaces, or set SANDBOX=none`,
      )
    }
    options.logger.warn(
      { reason: problem },
      'SANDBOX=auto: bubblewrap does not work here; using SANDBOX=none',
    )
    return noneDriver
  }
  const driver = createBwrapDriver({
    stateDir: options.stateDir,
    routerSocket: options.routerSocket,
    egressSocket: options.egressSocket,
    limits: options.limits,
    hostEnv: options.hostEnv,
    bwrapPath: options.bwrapPath,
  })
  const { memory, pids } = driver.limits
  const weak = [memory, pids].some((limit) => limit.enforcedBy !== 'cgroup')
  ;(weak ? options.logger.warn : options.logger.info).call(
    options.logger,
    { limits: driver.limits },
    `sandbox limits: memory ${memory.enforcedBy}, processes ${pids.enforcedBy}`,
  )
  return driver
}
