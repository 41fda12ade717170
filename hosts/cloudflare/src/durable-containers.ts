/**
 * The agent's ContainerProvider and WorkspaceInspector on Cloudflare: the session's ClaudeCodeContainer
 * Durable Object, reached over the container HTTP protocol (src/agent/container-http-client.ts). When every
 * instance is taken (max_instances) the turn waits with the same `waitingForSandbox` status as on Node and
 * asks again, until a container frees up or the turn is interrupted. The workspace and Claude Code's
 * transcripts are saved to R2 after every run and put back when the container starts on a fresh disk
 * (workspace-archives.ts).
 */

import { ContainerHttpClient } from '../../../src/agent/container-http-client.js'
import type {
  ContainerConnection,
  ContainerInfo,
  ContainerProvider,
  EnsureContainerOptions,
} from '../../../src/agent/container-provider.js'
import type { WorkspaceInspector } from '../../../src/agent/workspace-diff.js'
import type { WorkspaceNoticeLine } from '../../../src/protocol/container-lines.js'
import { AppError } from '../../../src/protocol/errors.js'
import { emptyWorkspaceSnapshot, type WorkspaceSnapshot } from '../../../src/protocol/workspace-snapshot.js'
import type { WorkspaceDownload } from '../../../src/protocol/workspace-transfers.js'
import { ROUTER_HOST } from './container-object.js'
import type { HostConfig } from './host-config.js'
import { sessionTokens } from './router.js'
import { WorkspaceArchives } from './workspace-archives.js'

/** Where the image keeps the session's workspace and Claude Code's transcripts (see Dockerfile). */
export const CONTAINER_WORKSPACE = '/workspace'
export const CONTAINER_CLAUDE_DIR = '/home/agent/.claude'
const RETRY_MS = [1_000, 2_000, 5_000, 10_000]
/** How long an upload or download waits for a container instance to free up before it is refused. */
const WAKE_WAIT_MS = 20_000

/** The platform's container states, as the agent's status reports them. */
function stateOf(platform: string, everRan: boolean): string {
  if (platform === 'running' || platform === 'healthy') return 'running'
  if (platform === 'stopping') return 'stopping'
  return everRan ? 'sleeping' : 'stopped'
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        reject(signal.reason)
      },
      { once: true },
    )
  })
}

export class DurableContainers implements ContainerProvider, WorkspaceInspector {
  private state = 'stopped'
  private everRan = false
  private heartbeat: number | undefined

  private readonly archives: WorkspaceArchives

  constructor(
    private readonly env: Env,
    private readonly config: HostConfig,
  ) {
    this.archives = new WorkspaceArchives(env.WORKSPACES, config.workspaceArchiveLimitBytes)
  }

  private stub(sessionId: string) {
    return this.env.CONTAINER.get(this.env.CONTAINER.idFromName(sessionId))
  }

  private client(sessionId: string): ContainerHttpClient {
    const stub = this.stub(sessionId)
    return new ContainerHttpClient((request) => stub.fetch(request), sessionId)
  }

  /** Reads the platform's state of the session's container (it sleeps on its own after SLEEP_AFTER). */
  async refresh(sessionId: string): Promise<void> {
    this.state = stateOf(await this.stub(sessionId).status(), this.everRan)
  }

  async ensure(
    sessionId: string,
    model: string,
    options: EnsureContainerOptions = {},
  ): Promise<ContainerConnection> {
    const envVars: Record<string, string> = {
      ANTHROPIC_BASE_URL: `http://${ROUTER_HOST}`,
      ANTHROPIC_AUTH_TOKEN: await sessionTokens(this.env).issue(sessionId),
      ANTHROPIC_MODEL: model,
      WORKSPACE_DIR: CONTAINER_WORKSPACE,
      CLAUDE_CONFIG_DIR: CONTAINER_CLAUDE_DIR,
      ...(options.firstTurn !== undefined && { CONTAINER_PREWARM: JSON.stringify(options.firstTurn) }),
    }
    const stub = this.stub(sessionId)
    // Claude Code booted ahead for the first turn would look for its transcript before it is put back.
    if (options.firstTurn !== undefined && (await this.archives.has(sessionId)))
      delete envVars.CONTAINER_PREWARM
    let restorePending = false
    for (let attempt = 0; ; attempt++) {
      if (this.state !== 'running') this.state = attempt === 0 ? 'starting' : 'waiting'
      const boot = await stub.boot(envVars, this.config.containerStartTimeoutMs)
      if (boot.started) {
        restorePending = boot.restorePending
        break
      }
      this.state = 'waiting'
      options.onWait?.({ position: 1, running: this.config.maxInstances, max: this.config.maxInstances })
      await wait(RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!, options.signal)
    }
    this.state = 'running'
    this.everRan = true
    this.heartbeat = Date.now()
    const client = this.client(sessionId)
    const container = (request: Request) => stub.fetch(request)
    // Shown at the start of the turn's stream when the saved workspace could not be put back.
    let restoreNotice: WorkspaceNoticeLine | undefined
    if (restorePending) {
      restoreNotice = await this.archives.restore(sessionId, container)
      await stub.restored()
    }
    return {
      workspacePath: CONTAINER_WORKSPACE,
      run: (runOptions, signal) => {
        this.heartbeat = Date.now()
        const notice = restoreNotice
        restoreNotice = undefined
        return this.saving(sessionId, client.run(runOptions, signal), notice)
      },
      respondPermission: (requestId, decision) => client.respondPermission(requestId, decision),
    }
  }

  /**
   * The run's lines, then the workspace saved before the run is over (so a container that sleeps right after a
   * turn loses nothing), with a notice line when it could not be. An interrupted or broken run is saved too.
   */
  private async *saving(
    sessionId: string,
    lines: AsyncIterable<unknown>,
    restoreNotice: WorkspaceNoticeLine | undefined,
  ): AsyncIterable<unknown> {
    if (restoreNotice !== undefined) yield restoreNotice
    let ended = false
    try {
      yield* lines
      ended = true
    } finally {
      if (!ended) await this.save(sessionId).catch(() => undefined)
    }
    const notice = await this.save(sessionId)
    if (notice !== undefined) yield notice
  }

  /** Saves the running container's workspace, unless it still waits for its own to be put back. */
  private async save(sessionId: string): Promise<WorkspaceNoticeLine | undefined> {
    const stub = this.stub(sessionId)
    if (await stub.restorePending()) return undefined
    return this.archives.save(sessionId, (request) => stub.fetch(request))
  }

  info(_sessionId: string): ContainerInfo {
    return {
      state: this.state,
      driver: 'cloudflare',
      isolated: true,
      lastHeartbeat: this.heartbeat,
    }
  }

  /** The workspace as of now; empty while the container is not running (its disk lives inside it). */
  async snapshot(sessionId: string): Promise<WorkspaceSnapshot> {
    if (this.state !== 'running') return emptyWorkspaceSnapshot()
    return this.client(sessionId).snapshot()
  }

  /**
   * The workspace's files: the container's list while it runs, else the list saved with its workspace (what
   * the container will have once it runs again), so the file browser does not start a container.
   */
  async listFiles(sessionId: string): Promise<unknown[]> {
    await this.refresh(sessionId)
    if (this.state !== 'running') return this.archives.savedFiles(sessionId)
    const listed = (await this.client(sessionId).files()) as { files?: unknown[] } | undefined
    return listed?.files ?? []
  }

  /** One file of the workspace, read from the container, which is started first when it sleeps. */
  async readFile(sessionId: string, model: string, path: string): Promise<unknown> {
    return (await this.awake(sessionId, model)).files(path)
  }

  /**
   * The client of the session's container, started first when it sleeps (with its saved workspace put back,
   * as for a turn): what uploads and downloads go through, since the workspace lives only inside it.
   */
  private async awake(sessionId: string, model: string): Promise<ContainerHttpClient> {
    await this.refresh(sessionId)
    if (this.state !== 'running' || (await this.stub(sessionId).restorePending())) {
      const deadline = Date.now() + WAKE_WAIT_MS
      await this.ensure(sessionId, model, {
        onWait: ({ max }) => {
          if (Date.now() >= deadline)
            throw new AppError(
              'overloaded_error',
              `every container (max_instances ${max}) is in use, so the workspace of session '${sessionId}' cannot be reached; try again once a turn has ended`,
              { retryable: true },
            )
        },
      })
    }
    this.heartbeat = Date.now()
    return this.client(sessionId)
  }

  /**
   * Writes an upload into the workspace (container-http-client.ts `writeFile`), then saves the workspace, so
   * the file is still there when the container has slept before the next turn; says so when it could not be.
   */
  async writeFile(
    sessionId: string,
    model: string,
    path: string,
    body: ReadableStream<Uint8Array> | null,
    options: { replace: boolean },
  ): Promise<unknown> {
    const client = await this.awake(sessionId, model)
    const written = await client.writeFile(path, body, options)
    const notice = await this.save(sessionId)
    return notice === undefined ? written : { ...(written as object), notice: notice.message }
  }

  /** The whole workspace as a zip, streamed from the container. */
  async archive(sessionId: string, model: string): Promise<ReadableStream<Uint8Array>> {
    return (await this.awake(sessionId, model)).archive()
  }

  /**
   * One file of the workspace, streamed from the container. Of a fixed length, so its answer says its size (the
   * runtime sends any other stream without content-length, and a browser could not show how far it is).
   */
  async download(sessionId: string, model: string, path: string): Promise<WorkspaceDownload> {
    const file = await (await this.awake(sessionId, model)).download(path)
    return { ...file, body: file.body.pipeThrough(new FixedLengthStream(file.size)) }
  }

  async debug(sessionId: string): Promise<unknown> {
    await this.refresh(sessionId)
    if (this.state !== 'running') return undefined
    const report = await this.client(sessionId).debug()
    const sandbox = { driver: 'cloudflare', isolated: true }
    return typeof report === 'object' && report !== null ? { ...report, sandbox } : report
  }

  async release(sessionId: string, removeFiles: boolean): Promise<void> {
    await this.stub(sessionId).shutdown()
    if (removeFiles) await this.archives.remove(sessionId)
    this.state = 'stopped'
    this.heartbeat = undefined
  }
}
