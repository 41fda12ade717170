/**
 * The `bwrap` driver: each container server runs inside bubblewrap (see bwrap-args.ts for what it sees),
 * in its own cgroup with memory and process limits where cgroups are writable (rlimits otherwise, see
 * limits.ts). A sandbox that hits a limit is killed whole, and its `exited` and the error of the run it
 * broke say which limit it was.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Env } from '../../config/config.js'
import { AppError } from '../../protocol/errors.js'
import { buildBwrapInvocation, INSIDE, packageRoot, sandboxEtcFiles, systemArgs } from '../bwrap-args.js'
import { type CgroupSupport, probeCgroups, SandboxCgroup } from '../cgroup.js'
import { superviseContainerProcess } from '../container-process.js'
import {
  DEFAULT_LIMITS,
  type LimitSettings,
  limitHitMessage,
  planLimits,
  type SandboxLimits,
} from '../limits.js'
import { containerSocketPath } from '../socket-path.js'
import type {
  ContainerClient,
  DriverStartOptions,
  SandboxDriver,
  SandboxExit,
  SandboxHandle,
  SandboxSpec,
} from '../types.js'
import { assertNoProviderSecrets } from './none.js'

export interface BwrapDriverOptions {
  /** Where the driver keeps its generated files (`etc/passwd`…); e.g. `DATA_DIR/run/sandbox`. */
  stateDir: string
  /** The host's router unix socket, reachable inside as ANTHROPIC_BASE_URL's host. */
  routerSocket?: string
  /** The egress proxy's unix socket (SANDBOX_EGRESS), reachable inside through HTTPS_PROXY. */
  egressSocket?: string
  limits?: LimitSettings
  /** Default: the bwrap on PATH. */
  bwrapPath?: string
  /** Cgroups to use (default: probed once); `false` never uses cgroups (rlimits only). */
  cgroups?: CgroupSupport | false
  /** Default: this package's root. */
  packageRoot?: string
  /** Host environment (for PATH lookups and LANG). */
  hostEnv?: Env
}

export interface SandboxedProcess {
  child: ChildProcess
  cgroup: SandboxCgroup | undefined
  limits: SandboxLimits
  /** The container socket as the host reaches it. */
  hostSocketPath: string
}

export interface BwrapDriver extends SandboxDriver {
  readonly limits: SandboxLimits
  /** Spawns `command` under the same confinement and limits as `start`, without waiting for a server. */
  spawnSandboxed(spec: SandboxSpec, command: string[]): SandboxedProcess
}

const LIMIT_POLL_MS = 200

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

function findOnPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    const candidate = join(dir, name)
    if (dir !== '' && existsSync(candidate)) return candidate
  }
  return undefined
}

/** Makes `<runDir>/container.sock` reachable from the host even when that path is too long for a socket. */
function reachableContainerSocket(runDir: string): string {
  const real = join(runDir, 'container.sock')
  const short = containerSocketPath(runDir)
  if (short === real) return real
  try {
    if (lstatSync(short).isSymbolicLink() || existsSync(short)) unlinkSync(short)
  } catch {
    // not there
  }
  symlinkSync(real, short)
  return short
}

const WRAPPER = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"'

/** Creates a bwrap driver; `limits` tells what this machine enforces. */
export function createBwrapDriver(options: BwrapDriverOptions): BwrapDriver {
  const settings = options.limits ?? DEFAULT_LIMITS
  const cgroups: CgroupSupport =
    options.cgroups === false
      ? {
          memory: undefined,
          pids: undefined,
          problems: { memory: 'cgroups disabled', pids: 'cgroups disabled' },
        }
      : (options.cgroups ?? probeCgroups())
  const plan = planLimits(settings, cgroups, {
    prlimit: findOnPath('prlimit', options.hostEnv?.PATH),
    uid: process.getuid?.() ?? 0,
  })
  const bwrap = options.bwrapPath ?? 'bwrap'
  const appRoot = options.packageRoot ?? packageRoot()
  const etcDir = join(options.stateDir, 'etc')
  let counter = 0

  const prepare = () => {
    mkdirSync(etcDir, { recursive: true })
    for (const [name, text] of Object.entries(sandboxEtcFiles())) writeFileSync(join(etcDir, name), text)
  }

  /** Spawns `command` confined for `spec` (no health check): what `start` and the escape tests share. */
  const spawnSandboxed = (spec: SandboxSpec, command: string[]): SandboxedProcess => {
    assertNoProviderSecrets(spec)
    for (const dir of [spec.workspaceDir, spec.claudeDir, spec.runDir]) mkdirSync(dir, { recursive: true })
    if (!existsSync(join(etcDir, 'passwd'))) prepare()
    const invocation = buildBwrapInvocation(spec, command, {
      packageRoot: appRoot,
      etcDir,
      routerSocket: options.routerSocket,
      egressSocket: options.egressSocket,
      lang: options.hostEnv?.LANG,
    })
    const cgroup =
      cgroups.memory === undefined && cgroups.pids === undefined
        ? undefined
        : SandboxCgroup.create(cgroups, `${spec.sessionId}-${++counter}`, settings)
    let argv = [bwrap, ...invocation.args]
    if (plan.prlimitArgs.length > 0) argv = ['prlimit', ...plan.prlimitArgs, '--', ...argv]
    if (cgroup !== undefined) argv = ['/bin/sh', '-c', WRAPPER, 'sh', ...cgroup.procsFiles, '--', ...argv]
    const hostSocket = reachableContainerSocket(spec.runDir)
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: '/',
      env: { ...invocation.env, PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    })
    return { child, cgroup, limits: plan.limits, hostSocketPath: hostSocket }
  }

  return {
    name: 'bwrap',
    isolated: true,
    limits: plan.limits,
    spawnSandboxed,
    async start(
      spec: SandboxSpec,
      command: string[],
      startOptions: DriverStartOptions = {},
    ): Promise<SandboxHandle> {
      if (command[0] === undefined) throw new AppError('invalid_config', 'sandbox command is empty')
      const { child, cgroup, hostSocketPath: socketPath } = spawnSandboxed(spec, command)
      let reason: string | undefined
      /** The limit hit so far, if any; the first time one is seen, the whole sandbox is killed. */
      const checkLimits = (): string | undefined => {
        if (reason !== undefined || cgroup === undefined) return reason
        const hit = cgroup.limitHit()
        if (hit === undefined) return undefined
        reason = limitHitMessage(hit, settings)
        startOptions.logger?.warn({ sessionId: spec.sessionId, driver: 'bwrap', pid: child.pid }, reason)
        cgroup.killAll()
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGKILL')
          } catch {
            // gone
          }
        }
        return reason
      }
      const monitor = setInterval(checkLimits, LIMIT_POLL_MS)
      monitor.unref()
      const cleanup = async () => {
        clearInterval(monitor)
        checkLimits()
        await cgroup?.remove()
      }
      let handle: SandboxHandle
      try {
        handle = await superviseContainerProcess(child, {
          ...startOptions,
          sessionId: spec.sessionId,
          driver: 'bwrap',
          socketPath,
        })
      } catch (err) {
        child.kill('SIGKILL')
        await cleanup()
        throw err
      }
      const exited: Promise<SandboxExit> = handle.exited.then(async (exit) => {
        await cleanup()
        return reason === undefined ? exit : { ...exit, reason }
      })
      return {
        ...handle,
        exited,
        stop: async () => {
          await handle.stop()
          await exited
        },
        client: explainingClient(handle.client, checkLimits, exited),
        workspacePath: INSIDE.workspace,
        limits: plan.limits,
      }
    },
  }
}

/** Wraps a client so a run broken by a limit says so instead of "connection broke". */
function explainingClient(
  client: ContainerClient,
  checkLimits: () => string | undefined,
  exited: Promise<SandboxExit>,
): ContainerClient {
  const settle = () => Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1_000))])
  async function* run(options: Parameters<ContainerClient['run']>[0], signal?: AbortSignal) {
    const limitError = (reason: string) => ({ type: 'error', error: { type: 'api_error', message: reason } })
    try {
      for await (const line of client.run(options, signal)) {
        // A killed tool process can end the turn before the monitor's next look: check as lines arrive.
        const reason = checkLimits()
        if (reason !== undefined) {
          yield limitError(reason)
          return
        }
        yield line
      }
    } catch (err) {
      if (signal?.aborted) throw err
      await settle()
      const reason = checkLimits()
      if (reason !== undefined) throw new AppError('api_error', reason, { status: 502, cause: err })
      throw err
    }
    const reason = checkLimits()
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
