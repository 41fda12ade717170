/**
 * Sandboxes started ahead of need, one per prepared command: bwrap already exec'd and in its cgroup, blocked
 * reading its session's arguments from ARGS_FD. Taking one skips spawning from this (large) process, the exec
 * and the cgroup move. A parked bwrap holds only session-independent flags on its command line; the session's
 * part (binds, environment, the router token) arrives through the descriptor, never on a host command line.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import type { Writable } from 'node:stream'
import { AppError } from '../../../protocol/errors.js'
import { signalGroup } from '../../container-process.js'
import type { SandboxSpec } from '../../types.js'
import { type BwrapInvocation, buildBwrapInvocation } from './args.js'
import type { SandboxCgroup } from './cgroup.js'
import { SPAWN_PATH } from './host-command.js'
import { cgroupJoinError } from './join-cgroup.js'
import type { SandboxSetup } from './setup.js'

/** Where a parked bwrap reads its per-session arguments (`--args`). */
const ARGS_FD = 3

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

/** Stands in for a session where only the session-independent part of an invocation is wanted. */
const NO_SESSION: SandboxSpec = { sessionId: '-', workspaceDir: '/', claudeDir: '/', runDir: '/', env: {} }

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

function setRef(child: ChildProcess, ref: boolean): void {
  if (ref) child.ref()
  else child.unref()
  for (const stream of child.stdio) {
    const handle = stream as { ref?: () => void; unref?: () => void } | null
    if (ref) handle?.ref?.()
    else handle?.unref?.()
  }
}

interface Parked {
  child: ChildProcess
  cgroup: SandboxCgroup | undefined
  /** Resolves once the process is in its cgroup; rejects (the process killed) when it cannot be. */
  ready: Promise<void>
  taken: boolean
}

/** A parked sandbox taken for a session: it goes on once `confined` settles. */
export interface TakenSandbox {
  child: ChildProcess
  cgroup: SandboxCgroup | undefined
  /** Settles once it runs in its cgroup with its session's arguments; rejects, killing it, if it cannot. */
  confined: Promise<void>
}

const isAlive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null

export class ParkedPool {
  /** Parked sandboxes by command (JSON), and the commands to keep one parked for. */
  private readonly parked = new Map<string, Parked>()
  private readonly prepared = new Set<string>()

  constructor(private readonly setup: SandboxSetup) {}

  /** Parks one sandbox for `command` unless one is, and keeps one parked; resolves once it is ready to take. */
  async prepare(command: string[]): Promise<void> {
    this.prepared.add(JSON.stringify(command))
    await this.park(command).ready
  }

  /** After a start of `command`: parks the next one, if `command` is prepared. */
  refill(command: string[]): void {
    if (this.prepared.has(JSON.stringify(command))) this.park(command).ready.catch(() => {})
  }

  /** Starts a parked sandbox for `command` (when one is parked and alive) with `invocation`'s session part. */
  take(command: string[], invocation: BwrapInvocation): TakenSandbox | undefined {
    const key = JSON.stringify(command)
    const slot = this.parked.get(key)
    if (slot === undefined || !isAlive(slot.child)) return undefined
    const args = nulTerminated([
      ...invocation.options,
      '--clearenv',
      ...Object.entries(invocation.env).flatMap(([name, value]) => ['--setenv', name, value]),
    ])
    this.parked.delete(key)
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

  /** Kills every parked sandbox and removes its cgroup; prepares nothing more. */
  async close(): Promise<void> {
    this.prepared.clear()
    const slots = [...this.parked.values()]
    this.parked.clear()
    await Promise.all(
      slots.map(async (slot) => {
        slot.taken = true
        if (isAlive(slot.child)) {
          const exited = new Promise((resolve) => slot.child.once('exit', resolve))
          signalGroup(slot.child, 'SIGKILL')
          await exited
        }
        await slot.cgroup?.remove()
      }),
    )
  }

  private park(command: string[]): Parked {
    const key = JSON.stringify(command)
    const existing = this.parked.get(key)
    if (existing !== undefined) return existing
    const { setup } = this
    setup.writeEtc()
    const inner = buildBwrapInvocation(NO_SESSION, command, setup.layout).command
    const cgroup = setup.newCgroup('parked')
    const argv = setup.hostCommand([setup.bwrap, '--args', String(ARGS_FD), ...PARKED_FLAGS, '--', ...inner])
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
      if (this.parked.get(key) === slot) this.parked.delete(key)
      if (!slot.taken) {
        signalGroup(child, 'SIGKILL')
        void cgroup?.remove()
      }
    }
    ready.catch(drop)
    child.once('error', drop)
    child.once('exit', drop)
    this.parked.set(key, slot)
    return slot
  }
}
