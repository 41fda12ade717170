/**
 * The `bwrap` driver: each container server runs inside bubblewrap (see args.ts for what it sees),
 * in its own cgroup with memory and process limits where cgroups are writable (rlimits otherwise, see
 * limits.ts). A sandbox that hits a limit is killed whole, and its `exited` and the error of the run it
 * broke say which limit it was.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import type { Env } from '../../../config/config.js'
import { AppError } from '../../../protocol/errors.js'
import { DEFAULT_STOP_GRACE_MS, signalGroup, superviseContainerProcess } from '../../container-process.js'
import { containerSocketPath, removeSocketFile } from '../../host-socket.js'
import {
  DEFAULT_LIMITS,
  type LimitSettings,
  limitHitMessage,
  planLimits,
  type SandboxLimits,
} from '../../limits.js'
import type {
  ContainerClient,
  DriverStartOptions,
  SandboxDriver,
  SandboxExit,
  SandboxHandle,
  SandboxSpec,
} from '../../types.js'
import { assertNoProviderSecrets } from '../none.js'
import {
  type BwrapInvocation,
  buildBwrapInvocation,
  INSIDE,
  packageRoot,
  sandboxEtcFiles,
  systemArgs,
} from './args.js'
import { type CgroupSupport, probeCgroups, SandboxCgroup } from './cgroup.js'

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
  /** Settles once the sandbox runs inside its cgroup (at once without one); rejects, killing it, if it cannot. */
  confined: Promise<void>
  limits: SandboxLimits
  /** The container socket as the host reaches it; `release()` once the sandbox has ended. */
  hostSocket: { path: string; release(): void }
}

export interface BwrapDriver extends SandboxDriver {
  readonly limits: SandboxLimits
  prepare(command: string[]): Promise<void>
  close(): Promise<void>
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

/** Where bwrap writes `{"child-pid": …}` and where it waits before running the command (see joinCgroup). */
const INFO_FD = 3
const BLOCK_FD = 4

/**
 * Puts a sandbox into its cgroup before it runs anything. bwrap (with `--info-fd`/`--block-fd`) tells the
 * pid of the sandbox's first process right after creating it, then sets up its mounts and waits: the move
 * into the cgroup happens meanwhile, and the sandbox goes on, forks and execs only once it is in, so every
 * process of it is counted. Moving a process costs the kernel an RCU grace period (about 8 ms here, slept
 * in a libuv thread by the async writes), which this overlaps with bwrap's own setup instead of paying it
 * first in a wrapper shell. On failure the sandbox is killed before it ran anything.
 */
function joinCgroup(child: ChildProcess, cgroup: SandboxCgroup): Promise<void> {
  const info = child.stdio[INFO_FD] as Readable
  const gate = child.stdio[BLOCK_FD] as Writable
  info.on('error', () => {})
  gate.on('error', () => {})
  return new Promise<void>((resolve, reject) => {
    let text = ''
    const fail = (err: unknown) => {
      info.destroy()
      gate.destroy()
      signalGroup(child, 'SIGKILL')
      reject(cgroupJoinError(err))
    }
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8')
      const match = /"child-pid":\s*(\d+)/.exec(text)
      if (match === null) return
      // Read on to the end: bwrap writes the rest of the document after the pid, and would die of SIGPIPE.
      info.off('data', onData)
      info.resume()
      cgroup.join(Number(match[1])).then(() => {
        gate.end('1', () => gate.destroy())
        resolve()
      }, fail)
    }
    info.on('data', onData)
    info.once('close', () => {
      if (!/"child-pid"/.test(text)) fail(new Error('bwrap exited before starting the sandbox'))
    })
  })
}

function cgroupJoinError(err: unknown): AppError {
  const reason = err instanceof Error ? err.message : String(err)
  return new AppError('api_error', `could not put the sandbox into its cgroup: ${reason}`)
}

/** Where a parked bwrap reads its per-session arguments (`--args`). */
const ARGS_FD = 3

/** The host PATH bwrap and prlimit are found in. */
const SPAWN_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/**
 * What a parked bwrap has on its own command line. Should its arguments never come (the server died), it
 * runs with these alone: all namespaces and an empty root, where the command is not even found.
 */
const PARKED_FLAGS = [
  '--unshare-all',
  '--unshare-user',
  '--die-with-parent',
  '--new-session',
  '--cap-drop',
  'ALL',
]

/**
 * `args` as a parked bwrap reads them: each ended by a NUL. One that holds a NUL itself (a session's model
 * name is its own to choose) would end early and start arguments of its own, a bind of the host's root among
 * them: refused, as `spawn` refuses one on a command line.
 */
function nulTerminated(args: string[]): string {
  const smuggled = args.find((arg) => arg.includes('\0'))
  if (smuggled !== undefined) {
    throw new AppError(
      'invalid_request_error',
      `a sandbox setting holds a NUL character: ${JSON.stringify(smuggled.slice(0, 80))}`,
    )
  }
  return `${args.join('\0')}\0`
}

/** Stands in for a session where only the session-independent part of an invocation is wanted. */
const NO_SESSION: SandboxSpec = { sessionId: '-', workspaceDir: '/', claudeDir: '/', runDir: '/', env: {} }

/**
 * A sandbox started ahead of need: bwrap already exec'd and in its cgroup, blocked reading its session's
 * arguments from ARGS_FD. Taking it skips spawning from this (large) process, the exec and the cgroup move.
 */
interface Parked {
  child: ChildProcess
  cgroup: SandboxCgroup | undefined
  /** Resolves once the process is in its cgroup; rejects (the process killed) when it cannot be. */
  ready: Promise<void>
  taken: boolean
}

const setRef = (child: ChildProcess, ref: boolean) => {
  if (ref) child.ref()
  else child.unref()
  for (const stream of child.stdio) {
    const handle = stream as { ref?: () => void; unref?: () => void } | null
    if (ref) handle?.ref?.()
    else handle?.unref?.()
  }
}

/**
 * Descriptors above stderr this process holds without close-on-exec. Node marks what it inherited
 * close-on-exec at startup, but only up to the first gap past fd 15: anything its own parent left open
 * beyond that (a supervisor's socket, a log file) would reach every process it spawns, sandboxes included.
 */
export function leakedDescriptors(): number[] {
  let names: string[]
  try {
    names = readdirSync('/proc/self/fd')
  } catch {
    return []
  }
  const leaked: number[] = []
  for (const name of names) {
    const fd = Number(name)
    if (!(fd > 2)) continue
    try {
      const flags = /^flags:\s+([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1]
      if (flags !== undefined && (Number.parseInt(flags, 8) & O_CLOEXEC) === 0) leaked.push(fd)
    } catch {
      // closed meanwhile
    }
  }
  return leaked
}

const O_CLOEXEC = 0o2000000

/** Closes the listed descriptors (bash: dash only knows 0-9), then execs the rest. */
const CLOSER = 'while [ "$1" != -- ]; do fd=$1; exec {fd}>&-; shift; done; shift; exec "$@"'

/**
 * `argv` behind a closer of this process's leaked descriptors, when it has any (and bash is there). The
 * closer's bash reads no start-up file: Node gives a child socket pairs for stdio, and bash on a socket
 * stdin takes itself for an ssh command and sources `~/.bashrc` — the host user's shell configuration,
 * someone else's code on the sandbox path. Its environment is the spawn's own (no BASH_ENV or ENV).
 */
function withoutLeakedDescriptors(argv: string[]): string[] {
  const leaked = leakedDescriptors()
  if (leaked.length === 0 || !existsSync('/bin/bash')) return argv
  return ['/bin/bash', '--norc', '--noprofile', '-c', CLOSER, 'bash', ...leaked.map(String), '--', ...argv]
}

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

  const layout = {
    packageRoot: appRoot,
    etcDir,
    routerSocket: options.routerSocket,
    egressSocket: options.egressSocket,
    lang: options.hostEnv?.LANG,
  }
  const writeEtc = () => {
    if (existsSync(join(etcDir, 'passwd'))) return
    mkdirSync(etcDir, { recursive: true })
    for (const [name, text] of Object.entries(sandboxEtcFiles())) writeFileSync(join(etcDir, name), text)
  }
  const newCgroup = (name: string) =>
    cgroups.memory === undefined && cgroups.pids === undefined
      ? undefined
      : SandboxCgroup.create(cgroups, name, settings)
  /** The host command line around bwrap: rlimits when they apply, without this process's leaked fds. */
  const hostArgv = (argv: string[]) =>
    withoutLeakedDescriptors(
      plan.prlimitArgs.length > 0 ? ['prlimit', ...plan.prlimitArgs, '--', ...argv] : argv,
    )

  /** Parked sandboxes by command (JSON), and the commands to keep one parked for. */
  const parked = new Map<string, Parked>()
  const prepared = new Set<string>()

  const park = (command: string[]): Parked => {
    const key = JSON.stringify(command)
    const existing = parked.get(key)
    if (existing !== undefined) return existing
    writeEtc()
    const inner = buildBwrapInvocation(NO_SESSION, command, layout).command
    const cgroup = newCgroup(`parked-${++counter}`)
    const argv = hostArgv([bwrap, '--args', String(ARGS_FD), ...PARKED_FLAGS, '--', ...inner])
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: '/',
      env: { PATH: SPAWN_PATH },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      detached: true,
    })
    for (const stream of child.stdio) stream?.on('error', () => {})
    // Waiting here must not keep the server alive; whoever takes it refs it again.
    setRef(child, false)
    const ready = cgroup === undefined || child.pid === undefined ? Promise.resolve() : cgroup.join(child.pid)
    const slot: Parked = { child, cgroup, ready, taken: false }
    const drop = () => {
      if (parked.get(key) === slot) parked.delete(key)
      if (!slot.taken) {
        signalGroup(child, 'SIGKILL')
        void cgroup?.remove()
      }
    }
    ready.catch(drop)
    child.once('error', drop)
    child.once('exit', drop)
    parked.set(key, slot)
    return slot
  }

  /** Starts a parked sandbox for `command` (when one is parked and alive) with `invocation`'s session part. */
  const takeParked = (command: string[], invocation: BwrapInvocation) => {
    const key = JSON.stringify(command)
    const slot = parked.get(key)
    if (slot === undefined || slot.child.exitCode !== null || slot.child.signalCode !== null) return undefined
    const args = nulTerminated([
      ...invocation.options,
      '--clearenv',
      ...Object.entries(invocation.env).flatMap(([name, value]) => ['--setenv', name, value]),
    ])
    parked.delete(key)
    slot.taken = true
    setRef(slot.child, true)
    const confined = slot.ready.then(
      () => {
        ;(slot.child.stdio[ARGS_FD] as Writable).end(args)
      },
      (err: unknown) => {
        signalGroup(slot.child, 'SIGKILL')
        throw cgroupJoinError(err)
      },
    )
    return { child: slot.child, cgroup: slot.cgroup, confined }
  }

  /** Spawns `command` confined for `spec` (no health check): what `start` and the escape tests share. */
  const spawnSandboxed = (spec: SandboxSpec, command: string[]): SandboxedProcess => {
    assertNoProviderSecrets(spec)
    for (const dir of [spec.workspaceDir, spec.claudeDir, spec.runDir]) mkdirSync(dir, { recursive: true })
    writeEtc()
    const invocation = buildBwrapInvocation(spec, command, layout)
    const hostSocket = reachableContainerSocket(spec.runDir)
    const taken = takeParked(command, invocation)
    if (taken !== undefined) {
      taken.confined.catch(() => {})
      return { ...taken, limits: plan.limits, hostSocket }
    }
    const cgroup = newCgroup(`${spec.sessionId}-${++counter}`)
    const gated = cgroup === undefined ? [] : ['--info-fd', String(INFO_FD), '--block-fd', String(BLOCK_FD)]
    const argv = hostArgv([bwrap, ...gated, ...invocation.args])
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: '/',
      env: { ...invocation.env, PATH: SPAWN_PATH },
      stdio: cgroup === undefined ? ['pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
      detached: true,
    })
    const confined = cgroup === undefined ? Promise.resolve() : joinCgroup(child, cgroup)
    confined.catch(() => {})
    return { child, cgroup, confined, limits: plan.limits, hostSocket }
  }

  /** Parks one sandbox for `command` unless one is; resolves once it is ready to take. */
  const prepare = async (command: string[]): Promise<void> => {
    prepared.add(JSON.stringify(command))
    await park(command).ready
  }

  const close = async (): Promise<void> => {
    prepared.clear()
    const slots = [...parked.values()]
    parked.clear()
    await Promise.all(
      slots.map(async (slot) => {
        slot.taken = true
        if (slot.child.exitCode === null && slot.child.signalCode === null) {
          const exited = new Promise((resolve) => slot.child.once('exit', resolve))
          signalGroup(slot.child, 'SIGKILL')
          await exited
        }
        await slot.cgroup?.remove()
      }),
    )
  }

  return {
    name: 'bwrap',
    isolated: true,
    limits: plan.limits,
    spawnSandboxed,
    prepare,
    close,
    async start(
      spec: SandboxSpec,
      command: string[],
      startOptions: DriverStartOptions = {},
    ): Promise<SandboxHandle> {
      if (command[0] === undefined) throw new AppError('invalid_config', 'sandbox command is empty')
      const { child, cgroup, confined, hostSocket } = spawnSandboxed(spec, command)
      let reason: string | undefined
      let confineError: unknown
      confined.catch((err: unknown) => {
        confineError = err
      })
      /** The limit hit so far, if any; the first time one is seen, the whole sandbox is killed. */
      const checkLimits = (): string | undefined => {
        if (reason !== undefined || cgroup === undefined) return reason
        const hit = cgroup.limitHit()
        if (hit === undefined) return undefined
        reason = limitHitMessage(hit, settings)
        startOptions.logger?.warn({ sessionId: spec.sessionId, driver: 'bwrap', pid: child.pid }, reason)
        cgroup.killAll()
        signalGroup(child, 'SIGKILL')
        return reason
      }
      const monitor = setInterval(checkLimits, LIMIT_POLL_MS)
      monitor.unref()
      const cleanup = async () => {
        clearInterval(monitor)
        checkLimits()
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
        if (prepared.has(JSON.stringify(command))) park(command).ready.catch(() => {})
      }
      const exited: Promise<SandboxExit> = handle.exited.then(async (exit) => {
        await cleanup()
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
        client: explainingClient(handle.client, checkLimits, exited),
        workspacePath: INSIDE.workspace,
        limits: plan.limits,
      }
    },
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

/**
 * Wraps a client so a run broken by a limit says so instead of "connection broke". Such a run ends only once
 * the killed sandbox has exited: whoever runs the next turn then finds it gone and gets a fresh one, instead
 * of the dying one.
 */
function explainingClient(
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
