/**
 * Per-sandbox cgroups for the memory and process limits. Each controller is used where this process may
 * create child groups: cgroup v2 (a delegated subtree) or, on hybrid/v1 hosts, the v1 hierarchy of that
 * controller. Under the cgroup this process is in, a base group `agent-router-<pid>` holds one child group
 * per sandbox; the sandbox's first process joins it before it runs anything (see join-cgroup.ts and
 * parked-pool.ts), so everything inside is counted.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export type ControllerName = 'memory' | 'pids'

interface ControllerBase {
  name: ControllerName
  version: 1 | 2
  /** `<hierarchy><own cgroup>/agent-router-<pid>`: parent of the sandbox groups. */
  base: string
}

export interface CgroupSupport {
  memory: ControllerBase | undefined
  pids: ControllerBase | undefined
  /** Why a controller is unusable, for the startup log and `limits.*.detail`. */
  problems: Partial<Record<ControllerName, string>>
}

interface Mount {
  root: string
  mountPoint: string
  fsType: string
  superOptions: string[]
}

function readMounts(): Mount[] {
  const mounts: Mount[] = []
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ')
    if (left === undefined || right === undefined) continue
    const fields = left.split(' ')
    const [fsType, , options] = right.split(' ')
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue
    mounts.push({
      root: fields[3] ?? '/',
      mountPoint: fields[4] ?? '',
      fsType,
      superOptions: (options ?? '').split(','),
    })
  }
  return mounts
}

/** `/proc/self/cgroup`: controller list ('' for v2) -> own path. */
function readOwnGroups(): Map<string, string> {
  const groups = new Map<string, string>()
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line)
    if (match) groups.set(match[1]!, match[2]!)
  }
  return groups
}

function hostPath(mount: Mount, ownPath: string): string {
  if (mount.root === '/') return join(mount.mountPoint, ownPath)
  if (ownPath === mount.root || ownPath.startsWith(`${mount.root}/`))
    return join(mount.mountPoint, ownPath.slice(mount.root.length))
  return join(mount.mountPoint, ownPath)
}

const baseName = (pid: number) => `agent-router-${pid}`

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Removes base groups left behind by agent-router processes that no longer run (empty ones only). */
function sweepStale(parent: string): void {
  for (const entry of safeReaddir(parent)) {
    const match = /^agent-router-(\d+)$/.exec(entry)
    if (!match || pidAlive(Number(match[1]))) continue
    const stale = join(parent, entry)
    for (const child of safeReaddir(stale)) tryRmdir(join(stale, child))
    tryRmdir(stale)
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
  } catch {
    return []
  }
}

function tryRmdir(dir: string): boolean {
  try {
    rmdirSync(dir)
    return true
  } catch {
    return !existsSync(dir)
  }
}

/** The limit files of a controller, by cgroup version. */
function limitFile(name: ControllerName, version: 1 | 2): string {
  if (name === 'pids') return 'pids.max'
  return version === 2 ? 'memory.max' : 'memory.limit_in_bytes'
}

/** Creates the base group for `name` and checks that a child group accepts a limit. */
function prepareBase(name: ControllerName, version: 1 | 2, dir: string): ControllerBase {
  sweepStale(dir)
  const base = join(dir, baseName(process.pid))
  const existed = existsSync(base)
  mkdirSync(base, { recursive: true })
  try {
    if (version === 2) {
      // Delegation: the controller must be enabled for our children and for the base's children. This fails
      // (EBUSY) when our own group holds processes and is not the root: cgroup v2's no-internal-process rule.
      const enabled = readFileSync(join(dir, 'cgroup.subtree_control'), 'utf8').split(/\s+/)
      if (!enabled.includes(name)) writeFileSync(join(dir, 'cgroup.subtree_control'), `+${name}`)
      writeFileSync(join(base, 'cgroup.subtree_control'), `+${name}`)
    }
    const probe = join(base, 'probe')
    mkdirSync(probe, { recursive: true })
    try {
      writeFileSync(join(probe, limitFile(name, version)), name === 'pids' ? '64' : String(256 * 1024 ** 2))
    } finally {
      tryRmdir(probe)
    }
  } catch (err) {
    if (!existed) tryRmdir(base)
    throw err
  }
  return { name, version, base }
}

let removeOnExit: string[] | undefined

/**
 * Finds, for memory and pids, a hierarchy where this process can create and limit child groups (v2 first,
 * then v1), preparing the base groups. Never throws: what does not work is described in `problems`.
 */
export function probeCgroups(): CgroupSupport {
  const support: CgroupSupport = { memory: undefined, pids: undefined, problems: {} }
  let mounts: Mount[]
  let own: Map<string, string>
  try {
    mounts = readMounts()
    own = readOwnGroups()
  } catch (err) {
    support.problems = {
      memory: `cannot read cgroup mounts: ${(err as Error).message}`,
      pids: `cannot read cgroup mounts: ${(err as Error).message}`,
    }
    return support
  }
  for (const name of ['memory', 'pids'] as const) {
    const attempts: string[] = []
    const v2 = mounts.find((m) => m.fsType === 'cgroup2')
    const v2Path = own.get('')
    if (v2 !== undefined && v2Path !== undefined) {
      const dir = hostPath(v2, v2Path)
      try {
        const controllers = readFileSync(join(dir, 'cgroup.controllers'), 'utf8').split(/\s+/)
        if (!controllers.includes(name)) throw new Error(`controller not delegated to ${dir}`)
        support[name] = prepareBase(name, 2, dir)
      } catch (err) {
        attempts.push(`cgroup v2: ${(err as Error).message}`)
      }
    }
    if (support[name] === undefined) {
      const v1 = mounts.find((m) => m.fsType === 'cgroup' && m.superOptions.includes(name))
      const v1Path = [...own.entries()].find(([controllers]) => controllers.split(',').includes(name))?.[1]
      if (v1 !== undefined && v1Path !== undefined) {
        try {
          support[name] = prepareBase(name, 1, hostPath(v1, v1Path))
        } catch (err) {
          attempts.push(`cgroup v1: ${(err as Error).message}`)
        }
      } else attempts.push(`no cgroup v1 ${name} hierarchy`)
    }
    const found = support[name]
    if (found !== undefined) {
      if (removeOnExit === undefined) {
        removeOnExit = []
        process.once('exit', () => {
          for (const dir of removeOnExit ?? []) tryRmdir(dir)
        })
      }
      if (!removeOnExit.includes(found.base)) removeOnExit.push(found.base)
    } else support.problems[name] = attempts.join('; ')
  }
  return support
}

/** One sandbox's groups (one per usable controller). */
export class SandboxCgroup {
  private constructor(
    private readonly groups: { controller: ControllerBase; dir: string }[],
    private readonly names: string[],
  ) {}

  /** Creates the groups of sandbox `id` with the given limits; controllers missing from `support` are skipped. */
  static create(
    support: CgroupSupport,
    id: string,
    limits: { memoryBytes: number; pids: number },
  ): SandboxCgroup {
    const groups: { controller: ControllerBase; dir: string }[] = []
    for (const controller of [support.memory, support.pids]) {
      if (controller === undefined) continue
      const dir = join(controller.base, id)
      mkdirSync(dir, { recursive: true })
      groups.push({ controller, dir })
      const { name, version } = controller
      writeFileSync(
        join(dir, limitFile(name, version)),
        String(name === 'memory' ? limits.memoryBytes : limits.pids),
      )
      // No swap to escape into (best effort: the files exist only with swap accounting).
      if (name === 'memory') {
        const swap =
          version === 2
            ? ['memory.swap.max', '0']
            : ['memory.memsw.limit_in_bytes', String(limits.memoryBytes)]
        try {
          writeFileSync(join(dir, swap[0]!), swap[1]!)
        } catch {
          // no swap accounting
        }
      }
    }
    return new SandboxCgroup(
      groups,
      groups.map((g) => g.controller.name),
    )
  }

  /** Controllers this sandbox is limited by. */
  get controllers(): string[] {
    return this.names
  }

  /** The `cgroup.procs` files a process writes its pid to, to join every group. */
  get procsFiles(): string[] {
    return this.groups.map((g) => join(g.dir, 'cgroup.procs'))
  }

  /**
   * Moves process `pid` into every group. Each move costs the kernel an RCU grace period (~8 ms here), slept
   * in libuv's thread pool by these async writes rather than in the event loop.
   */
  async join(pid: number): Promise<void> {
    await Promise.all(this.procsFiles.map((file) => writeFile(file, String(pid))))
  }

  /** Which limit was hit so far (an OOM kill, or a fork refused at pids.max), if any. */
  limitHit(): ControllerName | undefined {
    for (const { controller, dir } of this.groups) {
      const file =
        controller.name === 'pids'
          ? 'pids.events'
          : controller.version === 2
            ? 'memory.events'
            : 'memory.oom_control'
      const key = controller.name === 'pids' ? 'max' : 'oom_kill'
      try {
        const match = new RegExp(`^${key} (\\d+)$`, 'm').exec(readFileSync(join(dir, file), 'utf8'))
        if (match && Number(match[1]) > 0) return controller.name
      } catch {
        // group already removed
      }
    }
    return undefined
  }

  /** Pids still in the groups. */
  pids(): number[] {
    const pids = new Set<number>()
    for (const file of this.procsFiles) {
      try {
        for (const pid of readFileSync(file, 'utf8').split('\n')) if (pid !== '') pids.add(Number(pid))
      } catch {
        // removed
      }
    }
    return [...pids]
  }

  /** SIGKILLs everything in the groups (repeatedly, so a fork bomb cannot outrun it). */
  killAll(): void {
    for (let round = 0; round < 20; round++) {
      const pids = this.pids()
      if (pids.length === 0) return
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // gone
        }
      }
    }
  }

  /** Kills what is left and removes the groups (retrying while the kernel reaps the last processes). */
  async remove(): Promise<void> {
    for (let attempt = 0; attempt < 40; attempt++) {
      this.killAll()
      if (this.groups.every((g) => tryRmdir(g.dir))) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}
