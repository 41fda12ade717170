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
import { createRouterApp, loadRouterConfig } from '../router/index.js'
import { drivers, SandboxManager } from '../sandbox/index.js'
import { SqliteSessionStore } from '../store/sqlite-store.js'
import { DirectoryWorkspaceInspector } from '../store/workspace-snapshot.js'
import { createApp } from './app.js'
import { tokensEqual } from './auth.js'
import { createLogger, type Logger, secretValues } from './logger.js'
import { SessionContainers, sessionPaths } from './session-containers.js'
import { attachWebSocket } from './websocket.js'

export interface StartOptions {
  /** Allow a non-loopback HOST without AUTH_TOKEN. */
  insecure?: boolean
  logger?: Logger
  /** Command that starts a container server (default: this package's own). */
  containerCommand?: string[]
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

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  if (!isLoopback(config.host) && config.authToken === undefined && options.insecure !== true) {
    throw new AppError(
      'invalid_config',
      `refusing to listen on ${config.host} without AUTH_TOKEN: set AUTH_TOKEN, listen on 127.0.0.1, or start with --insecure`,
    )
  }
  const tokens = new SessionTokens()
  const secrets = secretValues(config.secrets)
  const logger =
    options.logger ??
    createLogger({
      level: config.logLevel,
      secrets: () => (config.authToken === undefined ? secrets : [config.authToken, ...secrets]),
    })

  const driverName = config.sandbox === 'auto' ? 'none' : config.sandbox
  const driver = drivers[driverName]
  if (driver === undefined) {
    throw new AppError(
      'invalid_config',
      `SANDBOX=${config.sandbox} is not available on this machine; use SANDBOX=none`,
    )
  }
  if (!driver.isolated) {
    logger.warn(
      { sandbox: driver.name },
      "SANDBOX=none: agents run as plain processes with this user's rights and see the whole machine; do not expose this server to anyone you do not trust",
    )
  }

  const store = new SqliteSessionStore(join(config.dataDir, 'agent-router.db'))
  const sandboxes = new SandboxManager({
    driver,
    logger,
    ...(options.containerCommand !== undefined && { command: options.containerCommand }),
  })
  let routerUrl = ''
  const containers = new SessionContainers({
    dataDir: config.dataDir,
    sandboxes,
    tokens,
    routerUrl: () => routerUrl,
  })
  const agent = new AgentService({
    store,
    containers,
    workspace: new DirectoryWorkspaceInspector((id) => sessionPaths(config.dataDir, id).workspace),
    defaultModel: config.defaultModel,
    permissionMode: config.permissionMode,
    logger,
  })
  const recovered = agent.recover()
  if (recovered > 0) logger.warn({ sessions: recovered }, 'closed turns interrupted by the previous shutdown')

  const router = createRouterApp({
    config: loadRouterConfig(config.routerConfigPath),
    secrets: config.secrets,
    logger,
    authorize: (token) =>
      config.authToken === undefined ||
      tokensEqual(token, config.authToken) ||
      tokens.verify(token) !== undefined,
  })
  const indexHtml = fileURLToPath(new URL('../../src/ui/public/index.html', import.meta.url))
  const app = createApp({ agent, router, authToken: config.authToken, logger, indexHtml })

  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
      resolve(s as Server),
    )
    ;(s as Server).once('error', reject)
  })
  const ws = attachWebSocket(server, { agent, authToken: config.authToken, logger })
  const port = (server.address() as AddressInfo).port
  const reachable =
    isLoopback(config.host) || config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  routerUrl = `http://${reachable}:${port}/llm`
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  logger.info({ url, dataDir: config.dataDir, sandbox: driver.name }, 'agent-router listening')

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
        store.close()
      })()
      return closing
    },
  }
}
