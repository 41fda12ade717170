/**
 * The one place that reads the environment (and `.env`). Every setting of DESIGN.md's table is parsed and
 * validated here; the rest of the code receives typed values and never touches `process.env`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseEnv } from 'node:util'
import { z } from 'zod'
import { AppError } from '../protocol/errors.js'
import type { Env } from '../router/config/env.js'
import { PROVIDER_KEY_VARIABLES } from '../router/config/provider-names.js'
import { parseByteSize } from './byte-size.js'
import { parseDuration } from './duration.js'

export type { Env }

/** Provider credentials, read by the router only (referenced from the router config as `os.environ/NAME`). */
export const PROVIDER_SECRET_NAMES: readonly string[] = [...PROVIDER_KEY_VARIABLES, 'ROUTER_MASTER_KEY']

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

const byteSize = (name: string, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const bytes = parseByteSize(value)
      if (bytes === undefined || bytes < 64 * 1024 ** 2) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a size of at least 64m, like 512m or 2g (got '${value}')`,
        })
        return z.NEVER
      }
      return bytes
    })

const hostList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .filter((host) => host !== ''),
  )

const nonEmpty = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))

const ServerEnv = z.object({
  PORT: port('PORT', 8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  ROUTER_CONFIG: nonEmpty,
  DEFAULT_MODEL: nonEmpty,
  SANDBOX: SandboxMode.default('auto'),
  SANDBOX_MEMORY: byteSize('SANDBOX_MEMORY', '2g'),
  SANDBOX_PIDS: z.coerce
    .number({ error: 'SANDBOX_PIDS must be a number' })
    .int('SANDBOX_PIDS must be a whole number')
    .min(16, 'SANDBOX_PIDS must be at least 16')
    .default(512),
  SANDBOX_EGRESS: hostList,
  SLEEP_AFTER: duration('SLEEP_AFTER', '10m'),
  MAX_INSTANCES: z.coerce
    .number({ error: 'MAX_INSTANCES must be a number' })
    .int('MAX_INSTANCES must be a whole number')
    .min(1, 'MAX_INSTANCES must be at least 1')
    .default(8),
  POOL_SIZE: z.coerce
    .number({ error: 'POOL_SIZE must be a number' })
    .int('POOL_SIZE must be a whole number')
    .min(0, 'POOL_SIZE must be >= 0 (0 turns the warm pool off)')
    .default(1),
  AUTH_TOKEN: nonEmpty,
  PERMISSION_MODE: PermissionMode.default('acceptEdits'),
  PERMISSION_TIMEOUT: duration('PERMISSION_TIMEOUT', '10m'),
  RATE_LIMIT_PER_MINUTE: z.coerce
    .number({ error: 'RATE_LIMIT_PER_MINUTE must be a number' })
    .min(0, 'RATE_LIMIT_PER_MINUTE must be >= 0 (0 turns the limit off)')
    .default(60),
  RATE_LIMIT_BURST: z.coerce
    .number({ error: 'RATE_LIMIT_BURST must be a number' })
    .int('RATE_LIMIT_BURST must be a whole number')
    .min(1, 'RATE_LIMIT_BURST must be at least 1')
    .default(20),
  ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== ''),
    ),
  LOG_LEVEL: LogLevel.default('info'),
})

export interface ServerConfig {
  port: number
  host: string
  /** Absolute path. */
  dataDir: string
  /** Absolute path of a LiteLLM-style YAML file, or undefined for the built-in default. */
  routerConfigPath: string | undefined
  /** DEFAULT_MODEL; when unset, the server picks one from the first configured provider. */
  defaultModel: string | undefined
  sandbox: z.infer<typeof SandboxMode>
  /** Memory limit of one sandbox in bytes (SANDBOX_MEMORY, default 2 GiB). */
  sandboxMemoryBytes: number
  /** Process/thread limit of one sandbox (SANDBOX_PIDS, default 512). */
  sandboxPids: number
  /** Hosts a sandbox may reach through the egress proxy (SANDBOX_EGRESS); empty: none but the router. */
  sandboxEgress: string[]
  sleepAfterMs: number
  maxInstances: number
  /** Sandboxes kept booted for new sessions (POOL_SIZE, default 1; 0 = no warm pool). */
  poolSize: number
  authToken: string | undefined
  permissionMode: z.infer<typeof PermissionMode>
  /** How long a permission prompt waits for an answer before it is denied. */
  permissionTimeoutMs: number
  /** Turns a client (token or address) may start per minute, and at once; perMinute 0 = no limit. */
  rateLimit: { perMinute: number; burst: number }
  /** Browser origins allowed to open the WebSocket besides the server's own host. */
  allowedOrigins: string[]
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
    sandboxMemoryBytes: v.SANDBOX_MEMORY,
    sandboxPids: v.SANDBOX_PIDS,
    sandboxEgress: v.SANDBOX_EGRESS,
    sleepAfterMs: v.SLEEP_AFTER,
    maxInstances: v.MAX_INSTANCES,
    poolSize: v.POOL_SIZE,
    authToken: v.AUTH_TOKEN,
    permissionMode: v.PERMISSION_MODE,
    permissionTimeoutMs: v.PERMISSION_TIMEOUT,
    allowedOrigins: v.ALLOWED_ORIGINS,
    rateLimit: { perMinute: v.RATE_LIMIT_PER_MINUTE, burst: v.RATE_LIMIT_BURST },
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

const SandboxForwards = z.object({
  SANDBOX_FORWARDS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const forwards: { port: number; socketPath: string }[] = []
      for (const item of (value ?? '').split(',').filter((part) => part.trim() !== '')) {
        const match = /^\s*(\d{1,5})=(\/\S+)\s*$/.exec(item)
        const port = Number(match?.[1])
        if (!match || port < 1 || port > 65535) {
          ctx.addIssue({
            code: 'custom',
            message: `SANDBOX_FORWARDS: '${item}' is not <port>=<absolute socket path>`,
          })
          return z.NEVER
        }
        forwards.push({ port, socketPath: match[2]! })
      }
      return forwards
    }),
})

/** A loopback port inside a sandbox that is piped to a unix socket bound in from the host. */
export interface SandboxForward {
  port: number
  socketPath: string
}

/** `SANDBOX_FORWARDS=4000=/run/agent-router/router.sock,…`, set by the bwrap driver for the code inside. */
export function loadSandboxForwards(env: Env = process.env): SandboxForward[] {
  const parsed = SandboxForwards.safeParse(env)
  if (!parsed.success) {
    throw new AppError('invalid_config', `invalid configuration: ${formatIssues(parsed.error)}`)
  }
  return parsed.data.SANDBOX_FORWARDS
}
