#!/usr/bin/env node
/**
 * `agent-router start|router|container [--port N] [--host H] [--insecure]`: the whole system, the model router
 * alone (the seed's separate LiteLLM worker), or the container server alone (what runs inside a sandbox).
 * `agent-router router --check-config FILE` prints what each entry of a LiteLLM config resolves to.
 */
import {
  type Env,
  environment,
  loadContainerConfig,
  loadRouterProcessConfig,
  loadServerConfig,
} from './config/config.js'
import { runContainerServer } from './container/index.js'
import { AppError } from './protocol/errors.js'
import { configWarnings, describeEntries, withConfigEnvironment } from './router/index.js'
import { loadRouterConfig, serveRouter } from './router/node/index.js'
import { tokensEqual } from './server/auth.js'
import { createLogger, secretValues } from './server/logger.js'
import { startServer } from './server/start.js'

const USAGE = `usage: agent-router <start|router|container> [--port N] [--host H] [--insecure]
       agent-router router --check-config FILE

  start      the whole system: UI, WebSocket and REST API, agents, sandboxes, router at /llm (default :8787)
  router     the model router alone, served at / (default :4000)
             --check-config FILE: print what each entry of a LiteLLM config resolves to and every warning,
             then exit (non-zero only when the file cannot serve any model)
  container  the container server that runs inside a session's sandbox
`

interface Args {
  command: string | undefined
  overrides: Record<string, string>
  insecure: boolean
  checkConfig: string | undefined
}

function parseArgs(argv: string[]): Args {
  const overrides: Record<string, string> = {}
  let insecure = false
  let command: string | undefined
  let checkConfig: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [flag, inline] = arg.split('=', 2) as [string, string | undefined]
    if (flag === '--port' || flag === '--host' || flag === '--check-config') {
      const value = inline ?? argv[++i]
      if (value === undefined) throw new AppError('invalid_config', `${flag} needs a value`)
      if (flag === '--check-config') checkConfig = value
      else overrides[flag === '--port' ? 'PORT' : 'HOST'] = value
    } else if (arg === '--insecure') insecure = true
    else if (arg === '--help' || arg === '-h') command = 'help'
    else if (command === undefined && !arg.startsWith('-')) command = arg
    else throw new AppError('invalid_config', `unknown argument '${arg}'\n\n${USAGE}`)
  }
  if (checkConfig !== undefined && command !== 'router')
    throw new AppError('invalid_config', `--check-config goes with the router command\n\n${USAGE}`)
  return { command, overrides, insecure, checkConfig }
}

/** `router --check-config FILE`: each entry's provider, model, address and key, then every warning. */
function checkRouterConfig(path: string, env: Env): void {
  const config = loadRouterConfig(path)
  const secrets = withConfigEnvironment(config.environment_variables, env)
  const warnings = configWarnings(config)
  const lines = [
    `${path}: ${config.model_list.length} of ${config.model_list.length + config.disabled.length} entries serve`,
    ...describeEntries(config, secrets).map((line) => `  ${line}`),
    ...(warnings.length > 0 ? ['warnings:', ...warnings.map((w) => `  ! ${w}`)] : []),
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const env: Env = { ...environment(), ...args.overrides }
  switch (args.command) {
    case 'start': {
      const running = await startServer(loadServerConfig(env), { insecure: args.insecure })
      process.stdout.write(`agent-router: open ${running.url}\n`)
      onSignal(() => running.close())
      return
    }
    case 'router': {
      if (args.checkConfig !== undefined) {
        checkRouterConfig(args.checkConfig, env)
        return
      }
      const config = loadRouterProcessConfig(env)
      const routerConfig = loadRouterConfig(config.routerConfigPath)
      const secrets = secretValues(withConfigEnvironment(routerConfig.environment_variables, config.secrets))
      const logger = createLogger({ level: config.logLevel, secrets: () => secrets })
      const authToken = config.authToken
      const router = await serveRouter(
        {
          config: routerConfig,
          secrets: config.secrets,
          logger,
          ...(authToken !== undefined && {
            authorize: (token: string | undefined) => tokensEqual(token, authToken),
          }),
        },
        { port: config.port, hostname: config.host },
      )
      logger.info({ url: `http://${config.host}:${router.port}` }, 'agent-router router listening')
      onSignal(() => router.close())
      return
    }
    case 'container': {
      const server = await runContainerServer(loadContainerConfig(env))
      onSignal(() => server.close())
      return
    }
    case 'help':
      process.stdout.write(USAGE)
      return
    default:
      process.stderr.write(USAGE)
      process.exitCode = 2
  }
}

function onSignal(close: () => Promise<void>): void {
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err)
  process.stderr.write(`agent-router: ${message}\n`)
  process.exit(1)
})
