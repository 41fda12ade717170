/**
 * The Cloudflare host's settings, read from the Worker's vars and secrets (wrangler.jsonc): the same names
 * and defaults as the Node host's environment where they mean the same thing.
 */
import { z } from 'zod'
import { parseByteSize } from '../../../src/config/byte-size.js'
import { parseDuration } from '../../../src/config/duration.js'
import { PermissionModeOption } from '../../../src/protocol/claude-code-options.js'
import { AppError } from '../../../src/protocol/errors.js'
import type { RouterConfig } from '../../../src/router/index.js'
import { defaultRouterConfig, parseRouterConfig } from '../../../src/router/index.js'

/** Vars and secrets as the runtime gives them (every value a string; secrets may be missing). */
export type HostVars = object

const Vars = z.object({
  DEFAULT_MODEL: z.string().min(1).default('groq/openai/gpt-oss-120b'),
  SLEEP_AFTER: z
    .string()
    .default('10m')
    .refine((v) => parseDuration(v) !== undefined, 'a duration like 10m, 30s or 1h'),
  MAX_INSTANCES: z.coerce.number().int().min(1).default(5),
  CONTAINER_START_TIMEOUT: z
    .string()
    .default('8s')
    .refine((v) => parseDuration(v) !== undefined, 'a duration like 8s'),
  PERMISSION_MODE: PermissionModeOption.default('acceptEdits'),
  PERMISSION_TIMEOUT: z
    .string()
    .default('10m')
    .refine((v) => parseDuration(v) !== undefined, 'a duration like 10m, 30s or 1h'),
  ROUTER_CONFIG: z.string().default(''),
  WORKSPACE_ARCHIVE_LIMIT: z
    .string()
    .default('500MB')
    .refine((v) => {
      const bytes = parseByteSize(v)
      return bytes !== undefined && bytes >= 1024 && bytes <= 4 * 1024 ** 3
    }, 'a size from 1KB to 4GB, like 500MB'),
  AUTH_TOKEN: z.string().min(1).optional(),
  SESSION_TOKEN_SECRET: z
    .string()
    .min(32, 'at least 32 characters (wrangler secret put SESSION_TOKEN_SECRET)'),
})

export interface HostConfig {
  defaultModel: string
  sleepAfterMs: number
  maxInstances: number
  containerStartTimeoutMs: number
  permissionMode: z.infer<typeof PermissionModeOption>
  permissionTimeoutMs: number
  router: RouterConfig
  authToken: string | undefined
  sessionTokenSecret: string
  /** WORKSPACE_ARCHIVE_LIMIT: the most bytes of files kept for a session while its container sleeps. */
  workspaceArchiveLimitBytes: number
}

const cache = new WeakMap<object, HostConfig>()

/** The settings, parsed once per env object; an AppError naming every bad value otherwise. */
export function hostConfig(env: HostVars): HostConfig {
  const cached = cache.get(env)
  if (cached !== undefined) return cached
  const present = Object.fromEntries(
    Object.entries(env as Record<string, unknown>).filter(([, v]) => v !== '' && v !== undefined),
  )
  const parsed = Vars.safeParse(present)
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new AppError('invalid_config', `invalid Worker configuration: ${detail}`, { status: 500 })
  }
  const v = parsed.data
  const config: HostConfig = {
    defaultModel: v.DEFAULT_MODEL,
    sleepAfterMs: parseDuration(v.SLEEP_AFTER)!,
    maxInstances: v.MAX_INSTANCES,
    containerStartTimeoutMs: parseDuration(v.CONTAINER_START_TIMEOUT)!,
    permissionMode: v.PERMISSION_MODE,
    permissionTimeoutMs: parseDuration(v.PERMISSION_TIMEOUT)!,
    router: v.ROUTER_CONFIG.trim() === '' ? defaultRouterConfig() : parseRouterConfig(v.ROUTER_CONFIG),
    authToken: v.AUTH_TOKEN,
    sessionTokenSecret: v.SESSION_TOKEN_SECRET,
    workspaceArchiveLimitBytes: parseByteSize(v.WORKSPACE_ARCHIVE_LIMIT)!,
  }
  cache.set(env, config)
  return config
}

/** The environment the router resolves `os.environ/NAME` and provider keys from: string vars and secrets. */
export function routerSecrets(env: HostVars): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(env as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === 'string',
    ),
  )
}
