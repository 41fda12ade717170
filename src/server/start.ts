/**
 * `agent-router start`: wires store, router, sandboxes and agents into one process and listens.
 * Returns a handle whose `close()` stops every sandbox and leaves nothing running.
 */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serve } from '@hono/node-server'
import { AgentService } from '../agent/agent-service.js'
import { SessionTokens } from '../agent/session-tokens.js'
import type { ServerConfig } from '../config/config.js'
import { AppError } from '../protocol/errors.js'
import { configuredProviders, PROVIDER_NAMES, providerVariables } from '../router/config/provider-names.js'
import { type RouterCore, RouterMetrics, routerAppFor, withConfigEnvironment } from '../router/index.js'
import {
  closeServer,
  loadRouterConfig,
  nodeRequestReader,
  nodeRouterCore,
  routerServer,
} from '../router/node/index.js'
import { startEgressProxy } from '../sandbox/egress-proxy.js'
import { hostSocketPath, listenOnSocketPath } from '../sandbox/host-socket.js'
import { SandboxManager } from '../sandbox/index.js'
import { selectDriver } from '../sandbox/select-driver.js'
import { SqlUsageSink } from '../store/sql-usage-sink.js'
import { SqliteSessionStore } from '../store/sqlite-store.js'
import { DirectoryWorkspaceInspector } from '../store/workspace-tracker.js'
import { createApp } from './app.js'
import { tokensEqual } from './auth.js'
import { createLogger, type Logger, secretValues } from './logger.js'
import { ServerMetrics } from './metrics.js'
import { RateLimiter } from './rate-limit.js'
import type { ServerInfo } from './routes/agent-routes.js'
import { SessionContainers, sessionPaths } from './session-containers.js'
import { routerTitleFor } from './session-titles.js'
import { announceStart } from './startup-summary.js'
import { attachWebSocket } from './websocket.js'

export interface StartOptions {
  /** Allow a non-loopback HOST without AUTH_TOKEN. */
  insecure?: boolean
  logger?: Logger
  /** Command that starts a container server (default: this package's own). */
  containerCommand?: string[]
  /** Where the start summary goes as plain lines; default stdout when it is a terminal, else the logger. */
  announce?: { write(text: string): unknown }
}

export interface RunningServer {
  url: string
  port: number
  agent: AgentService
  logger: Logger
  close(): Promise<void>
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host)
}

/** With no provider configured, sessions start on this, so the first message says which key to set. */
const FALLBACK_DEFAULT_MODEL = 'groq/openai/gpt-oss-120b'

/** What `GET /agent/info` reports, with the warnings the UI shows in its banner. */
function serverInfo(
  config: ServerConfig,
  driver: { name: string; isolated: boolean },
  defaultModel: string,
  routed: readonly string[],
  routerWarnings: readonly string[],
): ServerInfo {
  const found = new Set<string>([...configuredProviders(config.secrets), ...routed])
  // Every configured provider, and the well-known ones a newcomer may want to set up.
  const providers = PROVIDER_NAMES.filter((name) => found.has(name) || providerVariables(name).featured).map(
    (name) => ({ name, configured: found.has(name) }),
  )
  const warnings: string[] = []
  if (!driver.isolated) {
    warnings.push(
      "Agents run without a sandbox (SANDBOX=none): they can read and change everything this server's user can. Install bubblewrap and set SANDBOX=bwrap (or auto).",
    )
  }
  if (routerWarnings.length > 0) {
    warnings.push(
      `The router config (${config.routerConfigPath ?? 'built-in'}) has ${routerWarnings.length} warning${routerWarnings.length === 1 ? '' : 's'}: entries it cannot serve or keys it ignores, listed in the log and at GET /llm/health.`,
    )
  }
  if (!providers.some((p) => p.configured) && config.routerConfigPath === undefined) {
    warnings.push(
      `No model provider is configured: set one of ${PROVIDER_NAMES.map((name) => providerVariables(name))
        .filter((p) => p.featured)
        .map((p) => (p.keyless === true ? p.baseVariable : p.keyVariable))
        .join(', ')} in the environment or .env (a key, or a local server's address), then restart.`,
    )
  }
  return {
    defaultModel,
    sandbox: { driver: driver.name, isolated: driver.isolated },
    providers,
    warnings,
  }
}

/**
 * The router on the sandboxes' unix socket, under `/llm`: the same app as the main server's `/llm`. Closing
 * cuts off answers still streaming (the sessions stopped first).
 */
async function serveRouterSocket(core: RouterCore, socketPath: string): Promise<{ close(): Promise<void> }> {
  const server = routerServer(core, '/llm')
  await listenOnSocketPath(server, socketPath)
  return { close: () => closeServer(server, true) }
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  if (!isLoopback(config.host) && config.authToken === undefined && options.insecure !== true) {
    throw new AppError(
      'invalid_config',
      `refusing to listen on ${config.host} without AUTH_TOKEN: set AUTH_TOKEN, listen on 127.0.0.1, or start with --insecure`,
    )
  }
  const tokens = new SessionTokens()
  const routerConfig = loadRouterConfig(config.routerConfigPath)
  const secrets = secretValues(withConfigEnvironment(routerConfig.environment_variables, config.secrets))
  const logger =
    options.logger ??
    createLogger({
      level: config.logLevel,
      secrets: () => (config.authToken === undefined ? secrets : [config.authToken, ...secrets]),
    })

  const runDir = join(config.dataDir, 'run')
  const routerSocket = hostSocketPath(runDir, 'router.sock')
  const egressSocket = config.sandboxEgress.length > 0 ? hostSocketPath(runDir, 'egress.sock') : undefined
  const driver = selectDriver({
    mode: config.sandbox,
    stateDir: join(runDir, 'sandbox'),
    routerSocket,
    egressSocket,
    limits: { memoryBytes: config.sandboxMemoryBytes, pids: config.sandboxPids },
    hostEnv: config.secrets,
    logger,
  })
  if (!driver.isolated) {
    logger.warn(
      { sandbox: driver.name },
      "SANDBOX=none: agents run as plain processes with this user's rights and see the whole machine; do not expose this server to anyone you do not trust",
    )
  }

  const routerMetrics = new RouterMetrics()
  const metrics = new ServerMetrics(routerMetrics, () => ({
    running: sandboxes.running().length,
    max: sandboxes.maxInstances,
    pool: sandboxes.poolStatus(),
  }))
  const store = new SqliteSessionStore(join(config.dataDir, 'agent-router.db'))
  const usage = new SqlUsageSink(store.sql, (err) =>
    logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not record router usage'),
  )
  const routerCore = nodeRouterCore({
    metrics: routerMetrics,
    config: routerConfig,
    secrets: config.secrets,
    logger,
    // A sandbox's token attributes its requests (and their usage) to its session; AUTH_TOKEN admits people.
    authorize: (token) => {
      const sessionId = tokens.verify(token)
      if (sessionId !== undefined) return { sessionId }
      return config.authToken === undefined || tokensEqual(token, config.authToken)
    },
    usage,
  })
  const defaultModel =
    config.defaultModel ?? (await routerCore.lister.defaultModel()) ?? FALLBACK_DEFAULT_MODEL
  const sandboxes = new SandboxManager({
    driver,
    logger,
    sleepAfterMs: config.sleepAfterMs,
    maxInstances: config.maxInstances,
    ...(options.containerCommand !== undefined && { command: options.containerCommand }),
  })
  let routerUrl = ''
  const containers = new SessionContainers({
    dataDir: config.dataDir,
    sandboxes,
    tokens,
    routerUrl: () => routerUrl,
  })
  const router = routerAppFor(routerCore, nodeRequestReader)
  const agent = new AgentService({
    store,
    containers,
    // As many trackers (each keeping at most TRACKER_LIMITS of text) as sessions may run at once.
    workspace: new DirectoryWorkspaceInspector(
      (id) => sessionPaths(config.dataDir, id).workspace,
      config.maxInstances,
    ),
    defaultModel,
    permissionMode: config.permissionMode,
    permissionTimeoutMs: config.permissionTimeoutMs,
    logger,
    turnUsage: (sessionId, startedAt) => usage.since(sessionId, new Date(startedAt).toISOString()),
    titleFor: routerTitleFor(router, (sessionId) => tokens.issue(sessionId)),
    onTurnEnd: ({ durationMs, outcome }) => {
      metrics.turns.observe({ outcome }, durationMs / 1000)
      if (outcome === 'error') metrics.errors.add({ kind: 'turn_error' })
    },
  })
  const recovered = agent.recover()
  if (recovered > 0) logger.warn({ sessions: recovered }, 'closed turns interrupted by the previous shutdown')

  // Sandboxes have no network: they reach the router (only the router) on a unix socket bound into them,
  // and the hosts of SANDBOX_EGRESS through the egress proxy.
  const sandboxSockets: { close(): Promise<void> }[] = []
  if (driver.isolated) {
    sandboxSockets.push(await serveRouterSocket(routerCore, routerSocket))
    if (egressSocket !== undefined)
      sandboxSockets.push(
        await startEgressProxy({ socketPath: egressSocket, allow: config.sandboxEgress, logger }),
      )
  }
  // The same path from src/server (tests) and dist/server (built): the Vite output in dist/ui.
  const uiDir = fileURLToPath(new URL('../../dist/ui', import.meta.url))
  const info = serverInfo(
    config,
    driver,
    defaultModel,
    routerCore.lister.routes().map((r) => r.provider),
    routerCore.warnings,
  )
  const turnLimiter = config.rateLimit.perMinute > 0 ? new RateLimiter(config.rateLimit) : undefined
  const app = createApp({
    agent,
    containers,
    router,
    authToken: config.authToken,
    logger,
    dataDir: config.dataDir,
    defaultModel,
    workspaceDir: (id) => sessionPaths(config.dataDir, id).workspace,
    info: () => info,
    models: async () => ({
      defaultModel,
      models: await routerCore.lister.models(),
      routes: routerCore.lister.routes(),
    }),
    metrics: () => metrics.render(),
    onError: (kind) => metrics.errors.add({ kind }),
    onRequest: ({ method, route, status, durationMs }) =>
      metrics.requests.observe({ method, route, status: String(status) }, durationMs / 1000),
    ...(turnLimiter !== undefined && { turnLimiter }),
    uiDir,
  })

  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
      resolve(s as Server),
    )
    ;(s as Server).once('error', reject)
  })
  const ws = attachWebSocket(server, {
    agent,
    authToken: config.authToken,
    logger,
    allowedOrigins: config.allowedOrigins,
    onConnection: (delta) => metrics.wsConnections.add({}, delta),
    ...(turnLimiter !== undefined && { turnLimiter }),
  })
  const port = (server.address() as AddressInfo).port
  const reachable =
    isLoopback(config.host) || config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  routerUrl = `http://${reachable}:${port}/llm`
  const poolSize = driver.fixedPaths === true ? config.poolSize : 0
  if (poolSize < config.poolSize)
    logger.info(
      { sandbox: driver.name, poolSize: config.poolSize },
      'no warm pool (POOL_SIZE): it needs a sandbox that shows the workspace at a fixed path (SANDBOX=bwrap)',
    )
  // What a new session's first turn asks for but its session and prompt (see SessionActor.runTurn).
  containers.startPool(poolSize, { model: defaultModel, permissionMode: config.permissionMode })
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  announceStart(
    { url, dataDir: config.dataDir, sandbox: driver, defaultModel, info },
    logger,
    options.announce ?? (process.stdout.isTTY === true ? process.stdout : undefined),
  )

  let closing: Promise<void> | undefined
  return {
    url,
    port,
    agent,
    logger,
    close: () => {
      closing ??= (async () => {
        ws.close()
        await agent.shutdown()
        await sandboxes.stopAll()
        await new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        })
        await Promise.all(sandboxSockets.map((socket) => socket.close()))
        store.close()
      })()
      return closing
    },
  }
}
