/**
 * What the agent needs from the sandbox layer: a running container server for a session, and the facts a
 * `status` event reports about it. The Node implementation sits on SandboxManager; a Cloudflare host would
 * put a Container Durable Object behind the same interface.
 */
import type { ClaudeCodeOptions } from '../protocol/claude-code-options.js'

export interface ContainerConnection {
  run(options: ClaudeCodeOptions, signal?: AbortSignal): AsyncIterable<unknown>
  /** The workspace path as Claude Code sees it inside the container (to shorten paths in summaries). */
  workspacePath: string
}

export interface ContainerInfo {
  /** `running`, `stopped`, `starting`… */
  state: string
  /** Sandbox driver name (`bwrap`, `none`, …). */
  driver: string
  isolated: boolean
  lastHeartbeat: number | undefined
}

export interface ContainerProvider {
  ensure(sessionId: string, model: string): Promise<ContainerConnection>
  info(sessionId: string): ContainerInfo
  /** The running container's own debug report (secrets redacted by it), or undefined when it is not running. */
  debug(sessionId: string): Promise<unknown>
  /** Stops the container and forgets the session's credentials; the workspace stays unless `removeFiles`. */
  release(sessionId: string, removeFiles: boolean): Promise<void>
}
