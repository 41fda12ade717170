/**
 * The `bwrap` driver: each container server runs inside bubblewrap (see args.ts for what it sees), in its
 * own cgroup with memory and process limits where cgroups are writable (rlimits otherwise, see limits.ts). A
 * sandbox that hits a limit is killed whole, and its `exited` and the error of the run it broke say which
 * limit it was (limit-monitor.ts). Prepared commands start from a parked sandbox (parked-pool.ts).
 */
import { spawnSync } from 'node:child_process'
import type { SandboxLimits } from '../../limits.js'
import type { DriverStartOptions, SandboxDriver, SandboxSpec } from '../../types.js'
import { systemArgs } from './args.js'
import { ParkedPool } from './parked-pool.js'
import { type BwrapDriverOptions, SandboxSetup } from './setup.js'
import { type SandboxedProcess, spawnSandboxed } from './spawn-sandboxed.js'
import { startSandbox } from './start-sandbox.js'

export { leakedDescriptors } from './host-command.js'
export type { BwrapDriverOptions } from './setup.js'
export type { SandboxedProcess } from './spawn-sandboxed.js'

export interface BwrapDriver extends SandboxDriver {
  readonly limits: SandboxLimits
  prepare(command: string[]): Promise<void>
  close(): Promise<void>
  /** Spawns `command` under the same confinement and limits as `start`, without waiting for a server. */
  spawnSandboxed(spec: SandboxSpec, command: string[]): SandboxedProcess
}

/** Runs `bwrap … true` once: undefined when bubblewrap works here, else why not. */
export function probeBwrap(bwrapPath = 'bwrap'): string | undefined {
  const result = spawnSync(
    bwrapPath,
    [
      '--unshare-all',
      '--die-with-parent',
      '--new-session',
      ...systemArgs(),
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--',
      'true',
    ],
    { encoding: 'utf8', timeout: 10_000, env: { PATH: '/usr/bin:/bin' } },
  )
  if (result.error !== undefined) return `${bwrapPath} could not run: ${result.error.message}`
  if (result.status !== 0)
    return `${bwrapPath} failed (exit ${result.status}): ${result.stderr.trim() || 'no output'}`
  return undefined
}

/** Creates a bwrap driver; `limits` tells what this machine enforces. */
export function createBwrapDriver(options: BwrapDriverOptions): BwrapDriver {
  const setup = new SandboxSetup(options)
  const pool = new ParkedPool(setup)
  return {
    name: 'bwrap',
    isolated: true,
    fixedPaths: true,
    limits: setup.plan.limits,
    spawnSandboxed: (spec, command) => spawnSandboxed(setup, pool, spec, command),
    prepare: (command) => pool.prepare(command),
    close: () => pool.close(),
    start: (spec, command, startOptions: DriverStartOptions = {}) =>
      startSandbox(setup, pool, spec, command, startOptions),
  }
}
