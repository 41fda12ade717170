/**
 * Puts a sandbox started on demand into its cgroup before it runs anything, through bwrap's `--info-fd` and
 * `--block-fd` handshake.
 */
import type { ChildProcess } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { AppError } from '../../../protocol/errors.js'
import { signalGroup } from '../../container-process.js'
import type { SandboxCgroup } from './cgroup.js'

/** Where bwrap writes `{"child-pid": …}` and where it waits before running the command (see joinCgroup). */
export const INFO_FD = 3
export const BLOCK_FD = 4

/** bwrap's options for the handshake, on descriptors INFO_FD and BLOCK_FD of its stdio. */
export const HANDSHAKE_ARGS = ['--info-fd', String(INFO_FD), '--block-fd', String(BLOCK_FD)]

/**
 * bwrap (with `--info-fd`/`--block-fd`) tells the pid of the sandbox's first process right after creating
 * it, then sets up its mounts and waits: the move into the cgroup happens meanwhile, and the sandbox goes on,
 * forks and execs only once it is in, so every process of it is counted. Moving a process costs the kernel
 * an RCU grace period (about 8 ms here, slept in a libuv thread by the async writes), which this overlaps
 * with bwrap's own setup instead of paying it first in a wrapper shell. On failure the sandbox is killed
 * before it ran anything.
 */
export function joinCgroup(child: ChildProcess, cgroup: SandboxCgroup): Promise<void> {
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

/** The error of a sandbox that could not be put into its cgroup. */
export function cgroupJoinError(err: unknown): AppError {
  const reason = err instanceof Error ? err.message : String(err)
  return new AppError('api_error', `could not put the sandbox into its cgroup: ${reason}`)
}
