/**
 * What the agent needs from the sandbox layer: a running container server for a session, and the facts a
 * `status` event reports about it. The Node implementation sits on SandboxManager; a Cloudflare host would
 * put a Container Durable Object behind the same interface.
 */
import type { ClaudeCodeOptions } from '../protocol/claude-code-options.js'
import type { PermissionDecision } from './permission-broker.js'

export interface ContainerConnection {
  run(options: ClaudeCodeOptions, signal?: AbortSignal): AsyncIterable<unknown>
  /** Answers a `permission_request` line of the running turn (`POST /permissions/:requestId` on the container). */
  respondPermission(requestId: string, decision: PermissionDecision): Promise<void>
  /** The workspace path as Claude Code sees it inside the container (to shorten paths in summaries). */
  workspacePath: string
}

/** Where a session's turn stands while it waits for a sandbox slot (MAX_INSTANCES busy sandboxes run). */
export interface SandboxWait {
  /** 1 = next in line. */
  position: number
  running: number
  max: number
}

export interface EnsureContainerOptions {
  /** Called when the turn has to wait for a sandbox slot, and again when its position moves. */
  onWait?: (info: SandboxWait) => void
  /** Stops waiting (an interrupted turn). */
  signal?: AbortSignal
  /**
   * The turn the container is started for (its options but the prompt): a container that has to start can
   * boot Claude Code for it while it loads itself (see container/prewarm.ts).
   */
  firstTurn?: Omit<ClaudeCodeOptions, 'prompt'>
}

export interface ContainerInfo {
  /** `running`, `starting`, `waiting` (for a slot), `sleeping` (stopped when idle; resumes), `stopped`. */
  state: string
  /** Sandbox driver name (`bwrap`, `none`, …). */
  driver: string
  isolated: boolean
  lastHeartbeat: number | undefined
  /** The sandbox's memory and process limits and what enforces them (cgroup, rlimit or none). */
  limits?: ContainerLimits
  /** The warm pool (POOL_SIZE): its size, members booted and waiting, members starting. */
  pool?: { size: number; ready: number; starting: number }
}

/** Structurally the sandbox layer's SandboxLimits (the agent core does not import the Node sandbox code). */
export interface ContainerLimits {
  memory: { bytes: number; enforcedBy: 'cgroup' | 'rlimit' | 'none'; detail: string }
  pids: { max: number; enforcedBy: 'cgroup' | 'rlimit' | 'none'; detail: string }
}

export interface ContainerProvider {
  ensure(sessionId: string, model: string, options?: EnsureContainerOptions): Promise<ContainerConnection>
  info(sessionId: string): ContainerInfo
  /** The running container's own debug report (secrets redacted by it), or undefined when it is not running. */
  debug(sessionId: string): Promise<unknown>
  /** Stops the container and forgets the session's credentials; the workspace stays unless `removeFiles`. */
  release(sessionId: string, removeFiles: boolean): Promise<void>
}
