/**
 * ContainerProvider on the Node sandbox layer: lays out a session's folders under DATA_DIR, gives its
 * container a per-session router token (never a provider key) and the router's address, and starts it
 * through the SandboxManager on first need.
 */
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type {
  ContainerConnection,
  ContainerInfo,
  ContainerProvider,
  EnsureContainerOptions,
} from '../agent/container-provider.js'
import type { SessionTokens } from '../agent/session-tokens.js'
import type { SandboxManager } from '../sandbox/index.js'

export interface SessionPaths {
  root: string
  workspace: string
  claude: string
  run: string
}

export function sessionPaths(dataDir: string, sessionId: string): SessionPaths {
  const root = join(dataDir, 'sessions', sessionId)
  return { root, workspace: join(root, 'workspace'), claude: join(root, 'claude'), run: join(root, 'run') }
}

export interface SessionContainersOptions {
  dataDir: string
  sandboxes: SandboxManager
  tokens: SessionTokens
  /** The router's base URL as a container reaches it (e.g. http://127.0.0.1:8787/llm); known once listening. */
  routerUrl: () => string
}

export class SessionContainers implements ContainerProvider {
  private readonly heartbeats = new Map<string, number>()

  constructor(private readonly options: SessionContainersOptions) {}

  async ensure(
    sessionId: string,
    model: string,
    waiting: EnsureContainerOptions = {},
  ): Promise<ContainerConnection> {
    const paths = sessionPaths(this.options.dataDir, sessionId)
    for (const dir of [paths.workspace, paths.claude, paths.run]) mkdirSync(dir, { recursive: true })
    const handle = await this.options.sandboxes.ensure(
      {
        sessionId,
        workspaceDir: paths.workspace,
        claudeDir: paths.claude,
        runDir: paths.run,
        env: {
          ANTHROPIC_BASE_URL: this.options.routerUrl(),
          ANTHROPIC_AUTH_TOKEN: this.options.tokens.issue(sessionId),
          ANTHROPIC_MODEL: model,
          ...(waiting.firstTurn !== undefined && { CONTAINER_PREWARM: JSON.stringify(waiting.firstTurn) }),
        },
      },
      waiting,
    )
    this.heartbeats.set(sessionId, Date.now())
    return {
      // Claude Code shows paths as it sees them (bwrap: /workspace).
      workspacePath: handle.workspacePath ?? paths.workspace,
      run: (options, signal) => {
        this.heartbeats.set(sessionId, Date.now())
        return handle.client.run(options, signal)
      },
      respondPermission: (requestId, decision) => handle.client.respondPermission(requestId, decision),
    }
  }

  info(sessionId: string): ContainerInfo {
    const driver = this.options.sandboxes.driver
    return {
      state: this.options.sandboxes.state(sessionId),
      driver: driver.name,
      isolated: driver.isolated,
      lastHeartbeat: this.heartbeats.get(sessionId),
      ...(driver.limits !== undefined && { limits: driver.limits }),
    }
  }

  async debug(sessionId: string): Promise<unknown> {
    const handle = this.options.sandboxes.get(sessionId)
    if (handle === undefined) return undefined
    const report = await handle.client.debug()
    const { driver } = this.options.sandboxes
    const sandbox = { driver: driver.name, isolated: driver.isolated, limits: handle.limits ?? driver.limits }
    return typeof report === 'object' && report !== null ? { ...report, sandbox } : report
  }

  async release(sessionId: string, removeFiles: boolean): Promise<void> {
    await this.options.sandboxes.stop(sessionId)
    this.options.tokens.revoke(sessionId)
    this.heartbeats.delete(sessionId)
    if (removeFiles)
      rmSync(sessionPaths(this.options.dataDir, sessionId).root, { recursive: true, force: true })
  }
}
