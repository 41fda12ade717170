/**
 * ContainerProvider on the Node sandbox layer: lays out a session's folders under DATA_DIR, gives its
 * container a per-session router token (never a provider key) and the router's address, and starts it
 * through the SandboxManager on first need.
 *
 * It is also the warm pool's source: a member gets folders of its own under `DATA_DIR/pool/<member>/` and an
 * unbound router token, and boots Claude Code for a new session's first turn. A new session (nothing to
 * resume, empty folders) takes a member by renaming the member's workspace and Claude folders to its own —
 * the sandbox sees them at fixed paths, and its bind mounts follow the rename — and binding the token to
 * itself. Nothing a person typed is ever in a pool folder, so the pool folders are cleared at start-up.
 */
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type {
  ContainerConnection,
  ContainerInfo,
  ContainerProvider,
  EnsureContainerOptions,
} from '../agent/container-provider.js'
import type { SessionTokens } from '../agent/session-tokens.js'
import type { ClaudeCodeOptions } from '../protocol/claude-code-options.js'
import type { PoolMember, PoolSource, SandboxManager } from '../sandbox/index.js'

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

/** What a pool member boots Claude Code for: a new session's first turn but the session and prompt. */
export type PoolTurn = Omit<ClaudeCodeOptions, 'prompt' | 'sessionId'>

/** Removes `path` and everything in it; a failure leaves it behind rather than breaking the caller. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true })
  } catch {
    // left for the next start-up's clearing
  }
}

function isEmptyOrMissing(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0
  } catch {
    return true
  }
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
    const turn = waiting.firstTurn
    const isNew =
      turn !== undefined &&
      turn.resumeSessionId === undefined &&
      turn.continueSession !== true &&
      isEmptyOrMissing(paths.workspace) &&
      isEmptyOrMissing(paths.claude)
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
      { ...waiting, ...(isNew && { adopt: (member) => this.adopt(sessionId, member) }) },
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

  /**
   * Keeps `size` sandboxes booted for `turn` ahead of need (the warm pool), after clearing what an earlier
   * run left in the pool folders.
   */
  startPool(size: number, turn: PoolTurn): void {
    removeQuietly(this.poolRoot())
    if (size > 0) this.options.sandboxes.startPool(size, this.poolSource(turn))
  }

  private poolRoot(): string {
    return join(this.options.dataDir, 'pool')
  }

  private poolSource(turn: PoolTurn): PoolSource {
    return {
      spec: (id) => {
        const root = join(this.poolRoot(), id)
        const spec = {
          sessionId: id,
          workspaceDir: join(root, 'workspace'),
          claudeDir: join(root, 'claude'),
          runDir: join(root, 'run'),
          env: {
            ANTHROPIC_BASE_URL: this.options.routerUrl(),
            ANTHROPIC_AUTH_TOKEN: this.options.tokens.issueUnbound(),
            ...(turn.model !== undefined && { ANTHROPIC_MODEL: turn.model }),
            CONTAINER_PREWARM: JSON.stringify(turn),
          },
        }
        for (const dir of [spec.workspaceDir, spec.claudeDir, spec.runDir])
          mkdirSync(dir, { recursive: true })
        return spec
      },
      discard: (spec) => {
        const token = spec.env.ANTHROPIC_AUTH_TOKEN
        if (token !== undefined) this.options.tokens.forget(token)
        removeQuietly(join(this.poolRoot(), spec.sessionId))
      },
    }
  }

  /**
   * Makes pool member `member` the session's: its workspace and Claude folders become the session's (both
   * or neither), its router token the session's token. What is left of it (its run folder) goes when it stops.
   */
  private async adopt(sessionId: string, member: PoolMember): Promise<void> {
    const paths = sessionPaths(this.options.dataDir, sessionId)
    // An empty folder is replaced by the rename; one with anything in it refuses it (ENOTEMPTY).
    renameSync(member.spec.workspaceDir, paths.workspace)
    try {
      renameSync(member.spec.claudeDir, paths.claude)
    } catch (err) {
      renameSync(paths.workspace, member.spec.workspaceDir)
      throw err
    }
    const token = member.spec.env.ANTHROPIC_AUTH_TOKEN
    if (token !== undefined) this.options.tokens.bind(token, sessionId)
    void member.handle.exited.then(() => removeQuietly(join(this.poolRoot(), member.id)))
  }

  info(sessionId: string): ContainerInfo {
    const driver = this.options.sandboxes.driver
    return {
      state: this.options.sandboxes.state(sessionId),
      driver: driver.name,
      isolated: driver.isolated,
      lastHeartbeat: this.heartbeats.get(sessionId),
      pool: this.options.sandboxes.poolStatus(),
      ...(driver.limits !== undefined && { limits: driver.limits }),
    }
  }

  async debug(sessionId: string): Promise<unknown> {
    const handle = this.options.sandboxes.get(sessionId)
    if (handle === undefined) return undefined
    const report = await handle.client.debug()
    const { driver } = this.options.sandboxes
    const sandbox = {
      driver: driver.name,
      isolated: driver.isolated,
      limits: handle.limits ?? driver.limits,
      pool: this.options.sandboxes.poolStatus(),
    }
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
