/**
 * The one place that reads the environment (and `.env`). Every setting of DESIGN.md's table is parsed and
 * validated here; the rest of the code receives typed values and never touches `process.env`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseEnv } from 'node:util'
import { z } from 'zod'
import { AppError } from '../protocol/errors.js'
import { parseDuration } from './duration.js'

export type Env = Readonly<Record<string, string | undefined>>

/** Provider credentials, read by the router only (referenced from the router config as `os.environ/NAME`). */
export const PROVIDER_SECRET_NAMES = [
  'GROQ_API_KEY',
  'OPENROUTER_API_KEY',
  'ANTHROPIC_API_KEY',
  'OPENAI_API_KEY',
  'DEEPSEEK_API_KEY',
  'HOSTED_VLLM_API_KEY',
  'OLLAMA_API_KEY',
  'ROUTER_MASTER_KEY',
] as const

const SandboxMode = z.enum(['auto', 'bwrap', 'none'])
const PermissionMode = z.enum(['acceptEdits', 'default', 'bypassPermissions'])
const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])

const port = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a port number` })
    .int(`${name} must be a whole number`)
    .min(0, `${name} must be between 0 and 65535`)
    .max(65535, `${name} must be between 0 and 65535`)
    .default(fallback)

const duration = (name: string, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value)
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a duration like 30s, 10m or 1h (got '${value}')`,
        })
        return z.NEVER
      }
      return ms
    })

const nonEmpty = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))

const ServerEnv = z.object({
  PORT: port('PORT', 8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  ROUTER_CONFIG: nonEmpty,
  DEFAULT_MODEL: z.string().min(1).default('groq/openai/gpt-oss-120b'),
  SANDBOX: SandboxMode.default('auto'),
  SLEEP_AFTER: duration('SLEEP_AFTER', '10m'),
  MAX_INSTANCES: z.coerce
    .number({ error: 'MAX_INSTANCES must be a number' })
    .int('MAX_INSTANCES must be a whole number')
    .min(1, 'MAX_INSTANCES must be at least 1')
    .default(8),
  AUTH_TOKEN: nonEmpty,
  PERMISSION_MODE: PermissionMode.default('acceptEdits'),
  LOG_LEVEL: LogLevel.default('info'),
})

export interface ServerConfig {
  port: number
  host: string
  /** Absolute path. */
  dataDir: string
  /** Absolute path of a LiteLLM-style YAML file, or undefined for the built-in default. */
  routerConfigPath: string | undefined
  defaultModel: string
  sandbox: z.infer<typeof SandboxMode>
  sleepAfterMs: number
  maxInstances: number
  authToken: string | undefined
  permissionMode: z.infer<typeof PermissionMode>
  logLevel: z.infer<typeof LogLevel>
  /** Everything the router may resolve through `os.environ/NAME`; never handed to a sandbox. */
  secrets: Env
}

/** Reads `.env` from `cwd` (if present) under the real environment: real variables win. */
export function environment(env: Env = process.env, cwd = process.cwd()): Env {
  const file = resolve(cwd, '.env')
  if (!existsSync(file)) return env
  let fromFile: Record<string, string>
  try {
    fromFile = parseEnv(readFileSync(file, 'utf8')) as Record<string, string>
  } catch (err) {
    throw new AppError('invalid_config', `could not read ${file}: ${(err as Error).message}`)
  }
  return { ...fromFile, ...env }
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const key = issue.path.join('.')
      return issue.code === 'invalid_value' || issue.code === 'invalid_type'
        ? `${key}: ${issue.message}`
        : issue.message.includes(key)
          ? issue.message
          : `${key}: ${issue.message}`
    })
    .join('; ')
}

/** Parses and validates the server settings; throws an `invalid_config` AppError naming every bad value. */
export function loadServerConfig(env: Env = environment(), cwd = process.cwd()): ServerConfig {
  const parsed = ServerEnv.safeParse(env)
  if (!parsed.success) {
    throw new AppError('invalid_config', `invalid configuration: ${formatIssues(parsed.error)}`)
  }
  const v = parsed.data
  return {
    port: v.PORT,
    host: v.HOST,
    dataDir: resolve(cwd, v.DATA_DIR),
    routerConfigPath: v.ROUTER_CONFIG === undefined ? undefined : resolve(cwd, v.ROUTER_CONFIG),
    defaultModel: v.DEFAULT_MODEL,
    sandbox: v.SANDBOX,
    sleepAfterMs: v.SLEEP_AFTER,
    maxInstances: v.MAX_INSTANCES,
    authToken: v.AUTH_TOKEN,
    permissionMode: v.PERMISSION_MODE,
    logLevel: v.LOG_LEVEL,
    secrets: env,
  }
}

const RouterEnv = z.object({
  PORT: port('PORT', 4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  ROUTER_CONFIG: nonEmpty,
  AUTH_TOKEN: nonEmpty,
  LOG_LEVEL: LogLevel.default('info'),
})

export interface RouterProcessConfig {
  port: number
  host: string
  routerConfigPath: string | undefined
  authToken: string | undefined
  logLevel: z.infer<typeof LogLevel>
  secrets: Env
}

/** Settings of `agent-router router` (the router served alone, default port 4000). */
export function loadRouterProcessConfig(env: Env = environment(), cwd = process.cwd()): RouterProcessConfig {
  const parsed = RouterEnv.safeParse(env)
  if (!parsed.success) {
    throw new AppError('invalid_config', `invalid configuration: ${formatIssues(parsed.error)}`)
  }
  const v = parsed.data
  return {
    port: v.PORT,
    host: v.HOST,
    routerConfigPath: v.ROUTER_CONFIG === undefined ? undefined : resolve(cwd, v.ROUTER_CONFIG),
    authToken: v.AUTH_TOKEN,
    logLevel: v.LOG_LEVEL,
    secrets: env,
  }
}

const ContainerEnv = z.object({
  PORT: port('PORT', 8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  CONTAINER_SOCKET: nonEmpty,
  WORKSPACE_DIR: z.string().min(1).default(process.cwd()),
  SESSIONS_DIR: nonEmpty,
  CLAUDE_CONFIG_DIR: nonEmpty,
  ANTHROPIC_BASE_URL: nonEmpty,
  ANTHROPIC_AUTH_TOKEN: nonEmpty,
  ANTHROPIC_API_KEY: nonEmpty,
  ANTHROPIC_MODEL: z.string().min(1).default('groq/openai/gpt-oss-120b'),
  CLAUDE_CODE_EXECUTABLE: nonEmpty,
  CONTAINER_EXIT_ON_STDIN_END: z
    .enum(['', '0', '1', 'false', 'true'])
    .default('')
    .transform((v) => v === '1' || v === 'true'),
  LOG_LEVEL: LogLevel.default('info'),
})

export interface ContainerConfig {
  port: number
  host: string
  /** When set, the server listens on this unix socket instead of host:port. */
  socketPath: string | undefined
  /** The session's workspace (cwd of Claude Code). */
  workspaceDir: string
  /** Where temp sandboxes for `POST /` without a session live (seed: `/sessions`); defaults beside the workspace. */
  sessionsDir: string | undefined
  claudeConfigDir: string | undefined
  anthropicBaseUrl: string | undefined
  /** The per-session router token (never a provider key). */
  anthropicAuthToken: string | undefined
  anthropicApiKey: string | undefined
  defaultModel: string
  claudeCodeExecutable: string | undefined
  /** Exit when stdin ends: a sandbox driver keeps a pipe open so the server dies with its parent. */
  exitOnStdinEnd: boolean
  logLevel: z.infer<typeof LogLevel>
  /** The container's whole environment, for `GET /debug` (redacted there). */
  env: Env
}

/** Settings of `agent-router container` (the server inside a sandbox). */
export function loadContainerConfig(env: Env = process.env, cwd = process.cwd()): ContainerConfig {
  const parsed = ContainerEnv.safeParse(env)
  if (!parsed.success) {
    throw new AppError('invalid_config', `invalid configuration: ${formatIssues(parsed.error)}`)
  }
  const v = parsed.data
  return {
    port: v.PORT,
    host: v.HOST,
    socketPath: v.CONTAINER_SOCKET,
    workspaceDir: resolve(cwd, v.WORKSPACE_DIR),
    sessionsDir: v.SESSIONS_DIR === undefined ? undefined : resolve(cwd, v.SESSIONS_DIR),
    claudeConfigDir: v.CLAUDE_CONFIG_DIR,
    anthropicBaseUrl: v.ANTHROPIC_BASE_URL,
    anthropicAuthToken: v.ANTHROPIC_AUTH_TOKEN,
    anthropicApiKey: v.ANTHROPIC_API_KEY,
    defaultModel: v.ANTHROPIC_MODEL,
    claudeCodeExecutable: v.CLAUDE_CODE_EXECUTABLE,
    exitOnStdinEnd: v.CONTAINER_EXIT_ON_STDIN_END,
    logLevel: v.LOG_LEVEL,
    env,
  }
}
