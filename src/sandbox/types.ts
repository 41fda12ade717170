/**
 * The sandbox contract: a driver starts one container-server process per session (plain process now,
 * bubblewrap / docker / Cloudflare Containers later) and hands back a handle whose client speaks the
 * container server's HTTP API.
 */
import type { ClaudeCodeOptions } from '../protocol/claude-code-options.js'
import type { SandboxLimits } from './limits.js'

export interface SandboxSpec {
  sessionId: string
  /** The session workspace: Claude Code's cwd, the only place it writes. */
  workspaceDir: string
  /** The session's `CLAUDE_CONFIG_DIR` (transcripts, so resume survives restarts). */
  claudeDir: string
  /** Where the container's unix socket goes (`<runDir>/container.sock`). */
  runDir: string
  /** ANTHROPIC_BASE_URL, ANTHROPIC_AUTH_TOKEN (the session's router token), ANTHROPIC_MODEL… never provider keys. */
  env: Record<string, string>
}

/** Talks to one container server. */
export interface ContainerClient {
  /**
   * `POST /`: yields every NDJSON line the container sends, parsed (`{type:"error"}` lines included); with
   * `stream: false` the single JSON answer. HTTP and transport errors throw an AppError; an aborted `signal`
   * destroys the request and throws the signal's reason (an `AbortError`).
   */
  run(options: ClaudeCodeOptions, signal?: AbortSignal): AsyncIterable<unknown>
  /**
   * `POST /permissions/:requestId`: answers a `permission_request` line of the running turn. Throws a 404
   * AppError when the container has no such pending request (answered already, or its turn ended).
   */
  respondPermission(requestId: string, decision: { allow: boolean; message?: string }): Promise<void>
  /** `GET /` */
  health(): Promise<unknown>
  /** `GET /debug` (secrets redacted by the container) */
  debug(): Promise<unknown>
  /** `GET /ready`: resolves once the Claude Code booted for the first turn waits for it (CONTAINER_PREWARM). */
  ready(): Promise<unknown>
}

export interface SandboxExit {
  code: number | null
  signal: string | null
  /** Why the sandbox was stopped when it was not asked to be, e.g. it hit its memory limit. */
  reason?: string
}

export interface SandboxHandle {
  sessionId: string
  /** Name of the driver that started it. */
  driver: string
  pid: number | undefined
  client: ContainerClient
  /** Resolves once the process has exited (never rejects). */
  exited: Promise<SandboxExit>
  /** SIGTERM, then SIGKILL after a grace period; resolves when nothing of it runs any more. */
  stop(): Promise<void>
  /** The workspace as the processes inside see it (default: `spec.workspaceDir`). */
  workspacePath?: string
  /** The limits this sandbox runs under and what enforces them. */
  limits?: SandboxLimits
}

/** Structured logger (pino-compatible: fields first, then the message). */
export interface SandboxLogger {
  info(fields: Record<string, unknown>, message: string): void
  warn(fields: Record<string, unknown>, message: string): void
  error(fields: Record<string, unknown>, message: string): void
}

export interface DriverStartOptions {
  /** How long the container may take to answer `GET /` (default 15 s). */
  startTimeoutMs?: number
  /** Between SIGTERM and SIGKILL on stop (default 3 s). */
  stopGraceMs?: number
  logger?: SandboxLogger
}

export interface SandboxDriver {
  readonly name: string
  /** True when the driver confines the process (filesystem, network, environment). */
  readonly isolated: boolean
  /** The limits every sandbox of this driver gets and what enforces them (absent: none). */
  readonly limits?: SandboxLimits
  /**
   * True when the processes inside see the session's folders at fixed paths (bwrap: `/workspace`), so a
   * sandbox started ahead of need can become any session's by renaming its host folders: what the warm pool
   * needs. A driver that shows host paths (none) cannot have a pool.
   */
  readonly fixedPaths?: boolean
  /** Starts `command` (the container server) for `spec`; resolves once it answers its health check. */
  start(spec: SandboxSpec, command: string[], options?: DriverStartOptions): Promise<SandboxHandle>
  /**
   * Readies starts of `command` ahead of time (bwrap keeps one sandbox parked for it, so a start skips the
   * process spawn and the cgroup move); resolves once the first is ready. Optional: starts work without it.
   */
  prepare?(command: string[]): Promise<void>
  /** Stops whatever `prepare` keeps ready; sandboxes already started are the caller's to stop. */
  close?(): Promise<void>
}

export const silentLogger: SandboxLogger = {
  info: () => {},
  warn: () => {},
  error: () => {},
}
