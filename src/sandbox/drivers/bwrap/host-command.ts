/**
 * The host command line a sandbox's bwrap is spawned with: behind `prlimit` when rlimits enforce its limits
 * (see limits.ts), and behind a closer of the descriptors this process would otherwise pass on to it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The host PATH bwrap and prlimit are found in. */
export const SPAWN_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/** `name` in the first directory of `path` that holds it. */
export function findOnPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    const candidate = join(dir, name)
    if (dir !== '' && existsSync(candidate)) return candidate
  }
  return undefined
}

const O_CLOEXEC = 0o2000000

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

/** The host command line around `argv` (bwrap's): rlimits when they apply, without this process's leaked fds. */
export function hostCommand(argv: string[], prlimitArgs: readonly string[]): string[] {
  return withoutLeakedDescriptors(prlimitArgs.length > 0 ? ['prlimit', ...prlimitArgs, '--', ...argv] : argv)
}
