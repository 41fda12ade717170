/**
 * Spawns one confined sandbox for a session: a parked one when the pool has one for the command, else a fresh
 * bwrap that joins its cgroup through the handshake. What `start` and the escape tests share, so the tests
 * attack exactly the confinement the driver runs.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, symlinkSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { containerSocketPath, removeSocketFile } from '../../host-socket.js'
import type { SandboxLimits } from '../../limits.js'
import type { SandboxSpec } from '../../types.js'
import { assertNoProviderSecrets } from '../none.js'
import { buildBwrapInvocation } from './args.js'
import type { SandboxCgroup } from './cgroup.js'
import { SPAWN_PATH } from './host-command.js'
import { HANDSHAKE_ARGS, joinCgroup } from './join-cgroup.js'
import type { ParkedPool } from './parked-pool.js'
import type { SandboxSetup } from './setup.js'

export interface SandboxedProcess {
  child: ChildProcess
  cgroup: SandboxCgroup | undefined
  /** Settles once the sandbox runs inside its cgroup (at once without one); rejects, killing it, if it cannot. */
  confined: Promise<void>
  limits: SandboxLimits
  /** The container socket as the host reaches it; `release()` once the sandbox has ended. */
  hostSocket: { path: string; release(): void }
}

/**
 * Makes `<runDir>/container.sock` reachable from the host even when that path is too long for a socket (a
 * link in the temp dir); `release()` removes that link once the sandbox has ended.
 */
function reachableContainerSocket(runDir: string): { path: string; release(): void } {
  const real = join(runDir, 'container.sock')
  const short = containerSocketPath(runDir)
  if (short === real) return { path: real, release: () => {} }
  try {
    if (lstatSync(short).isSymbolicLink() || existsSync(short)) unlinkSync(short)
  } catch {
    // not there
  }
  symlinkSync(real, short)
  return { path: short, release: () => removeSocketFile(short) }
}

/** Spawns `command` confined for `spec` (no health check). */
export function spawnSandboxed(
  setup: SandboxSetup,
  pool: ParkedPool,
  spec: SandboxSpec,
  command: string[],
): SandboxedProcess {
  assertNoProviderSecrets(spec)
  for (const dir of [spec.workspaceDir, spec.claudeDir, spec.runDir]) mkdirSync(dir, { recursive: true })
  setup.writeEtc()
  const invocation = buildBwrapInvocation(spec, command, setup.layout)
  const hostSocket = reachableContainerSocket(spec.runDir)
  const limits = setup.plan.limits
  const taken = pool.take(command, invocation)
  if (taken !== undefined) {
    taken.confined.catch(() => {})
    return { ...taken, limits, hostSocket }
  }
  const cgroup = setup.newCgroup(spec.sessionId)
  const gated = cgroup === undefined ? [] : HANDSHAKE_ARGS
  const argv = setup.hostCommand([setup.bwrap, ...gated, ...invocation.args])
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: '/',
    env: { ...invocation.env, PATH: SPAWN_PATH },
    stdio: cgroup === undefined ? ['pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
    detached: true,
  })
  const confined = cgroup === undefined ? Promise.resolve() : joinCgroup(child, cgroup)
  confined.catch(() => {})
  return { child, cgroup, confined, limits, hostSocket }
}
