/**
 * Resource limits of one sandbox and how they are enforced: by a cgroup (the whole sandbox together), by
 * rlimits (per process, a weaker fallback) or not at all. Reported through the driver and each handle so
 * `status` and `GET /claude-code/debug` can show what actually holds.
 */
import { formatByteSize } from '../config/byte-size.js'

export type LimitEnforcement = 'cgroup' | 'rlimit' | 'none'

export interface SandboxLimits {
  memory: {
    bytes: number
    enforcedBy: LimitEnforcement
    /** e.g. `cgroup v1 memory.limit_in_bytes`, or why nothing enforces it. */
    detail: string
  }
  pids: {
    max: number
    enforcedBy: LimitEnforcement
    detail: string
  }
}

export interface LimitSettings {
  memoryBytes: number
  pids: number
}

export const DEFAULT_LIMITS: LimitSettings = { memoryBytes: 2 * 1024 ** 3, pids: 512 }

/** The message a person sees when their sandbox was stopped for hitting a limit. */
export function limitHitMessage(kind: 'memory' | 'pids', limits: LimitSettings): string {
  return kind === 'memory'
    ? `the sandbox hit its memory limit (${formatByteSize(limits.memoryBytes)}) and was stopped; the next message starts a fresh one (SANDBOX_MEMORY raises the limit)`
    : `the sandbox hit its process limit (${limits.pids} processes) and was stopped; the next message starts a fresh one (SANDBOX_PIDS raises the limit)`
}

export interface LimitPlan {
  limits: SandboxLimits
  /** `prlimit` options to put in front of bwrap (empty when cgroups enforce everything). */
  prlimitArgs: string[]
}

/**
 * Decides how each limit is enforced: by a cgroup when `cgroups` has the controller; otherwise by rlimits
 * through `prlimit` — RLIMIT_DATA per process for memory, and RLIMIT_NPROC for processes, which counts every
 * process of the (real) user id and which the kernel does not apply to root at all, so as root nothing
 * limits the process count without a cgroup.
 */
export function planLimits(
  settings: LimitSettings,
  cgroups: {
    memory?: { version: 1 | 2 }
    pids?: { version: 1 | 2 }
    problems: Partial<Record<'memory' | 'pids', string>>
  },
  host: { prlimit: string | undefined; uid: number },
): LimitPlan {
  const prlimitArgs: string[] = []
  const cgroupDetail = (name: 'memory' | 'pids', version: 1 | 2) =>
    `cgroup v${version} ${name === 'pids' ? 'pids.max' : version === 2 ? 'memory.max' : 'memory.limit_in_bytes'}, one group per sandbox`
  const unavailable = (name: 'memory' | 'pids') => cgroups.problems[name] ?? 'no usable cgroup'

  let memory: SandboxLimits['memory']
  if (cgroups.memory !== undefined) {
    memory = {
      bytes: settings.memoryBytes,
      enforcedBy: 'cgroup',
      detail: cgroupDetail('memory', cgroups.memory.version),
    }
  } else if (host.prlimit !== undefined) {
    prlimitArgs.push(`--data=${settings.memoryBytes}`)
    memory = {
      bytes: settings.memoryBytes,
      enforcedBy: 'rlimit',
      detail: `RLIMIT_DATA per process, not for the sandbox as a whole (${unavailable('memory')})`,
    }
  } else {
    memory = {
      bytes: settings.memoryBytes,
      enforcedBy: 'none',
      detail: `${unavailable('memory')}; prlimit not found`,
    }
  }

  let pids: SandboxLimits['pids']
  if (cgroups.pids !== undefined) {
    pids = { max: settings.pids, enforcedBy: 'cgroup', detail: cgroupDetail('pids', cgroups.pids.version) }
  } else if (host.prlimit !== undefined && host.uid !== 0) {
    prlimitArgs.push(`--nproc=${settings.pids}`)
    pids = {
      max: settings.pids,
      enforcedBy: 'rlimit',
      detail: `RLIMIT_NPROC, counted over every process of uid ${host.uid}, not per sandbox (${unavailable('pids')})`,
    }
  } else {
    pids = {
      max: settings.pids,
      enforcedBy: 'none',
      detail: `${unavailable('pids')}; RLIMIT_NPROC does not apply to root`,
    }
  }
  return { limits: { memory, pids }, prlimitArgs }
}
