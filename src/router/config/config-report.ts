/**
 * What the router does with each line of a LiteLLM config: which provider, model and address each entry
 * resolves to, and one warning per entry it disabled and per key it does not honour. The router logs the
 * warnings at startup and answers them on `GET /health`; `agent-router router --check-config` prints both.
 * A key is honoured when its section's schema declares it (`config-schema.ts`); every other key is named here,
 * with the reason where one is known.
 */
import type { z } from 'zod'
import {
  GeneralSettings,
  LitellmParams,
  LitellmSettings,
  ModelEntry,
  ModelInfo,
  REQUEST_DEFAULT_KEYS,
  type RouterConfig,
  RouterSettings,
} from './config-schema.js'
import type { Env } from './env.js'
import { defaultApiBase, keyVariableInEnv, normaliseApiBase, providerVariables } from './provider-names.js'

/** Why a LiteLLM key is not honoured, where there is more to say than "not supported". */
const REASONS: Record<string, string> = {
  'litellm_settings.set_verbose': 'the log level is LOG_LEVEL',
  'litellm_settings.json_logs': 'logs are JSON lines whenever output is not a terminal',
  'general_settings.json_logs': 'logs are JSON lines whenever output is not a terminal',
  'general_settings.database_url': 'usage is recorded in the SQLite database under DATA_DIR',
  'general_settings.health_check_interval': 'no background health checks are run',
  'general_settings.background_health_checks': 'no background health checks are run',
  'litellm_settings.success_callback': 'no callbacks are run; usage is at GET /llm/usage and /llm/metrics',
  'litellm_settings.failure_callback': 'no callbacks are run; usage is at GET /llm/usage and /llm/metrics',
  'litellm_settings.callbacks': 'no callbacks are run; usage is at GET /llm/usage and /llm/metrics',
  'router_settings.redis_host': 'routing state is kept in this process',
  'router_settings.redis_port': 'routing state is kept in this process',
  'router_settings.redis_password': 'routing state is kept in this process',
  'litellm_params.max_retries': 'retries are router_settings.num_retries',
  'litellm_settings.cache_params': 'answers are cached in this process’s memory (only ttl is read)',
}

/** The keys a section's schema declares. */
function declared(schema: z.ZodObject): Set<string> {
  return new Set(Object.keys(schema.shape))
}

const TOP = new Set([
  'model_list',
  'router_settings',
  'litellm_settings',
  'general_settings',
  'environment_variables',
])
const SECTIONS = [
  ['router_settings', declared(RouterSettings)],
  ['litellm_settings', declared(LitellmSettings)],
  ['general_settings', declared(GeneralSettings)],
] as const
const ENTRY_KEYS = declared(ModelEntry)
const PARAM_KEYS = declared(LitellmParams)
const INFO_KEYS = declared(ModelInfo)
/** Request defaults Anthropic's Messages API takes; the others are not sent to `anthropic/` entries. */
const ANTHROPIC_DEFAULTS = new Set(['temperature', 'top_p', 'top_k'])

function notHonoured(path: string, where?: string[]): string {
  const at = where === undefined ? '' : ` (${where.join(', ')})`
  const why =
    REASONS[path] ??
    REASONS[path.replace(/^model_list\[\*\]\./, '')] ??
    REASONS[path.split('.').slice(0, 2).join('.')]
  return `${path}${at} is not supported by agent-router and is ignored${why === undefined ? '' : `: ${why}`}`
}

/** One line per disabled entry, then one per key the router does not honour (entries' keys grouped by key). */
export function configWarnings(config: RouterConfig): string[] {
  const out: string[] = []
  for (const d of config.disabled) {
    out.push(`${d.id}${d.modelName === undefined ? '' : ` (${d.modelName})`} is disabled: ${d.reason}`)
  }
  for (const key of Object.keys(config.unread)) if (!TOP.has(key)) out.push(notHonoured(key))
  for (const [section, keys] of SECTIONS) {
    for (const key of Object.keys(config[section])) {
      if (!keys.has(key)) out.push(notHonoured(`${section}.${key}`))
    }
  }
  for (const key of Object.keys(config.litellm_settings.cache_params ?? {})) {
    if (key !== 'ttl') out.push(notHonoured(`litellm_settings.cache_params.${key}`))
  }
  const byKey = new Map<string, string[]>()
  const note = (path: string, id: string) => byKey.set(path, [...(byKey.get(path) ?? []), id])
  for (const entry of config.model_list) {
    for (const key of Object.keys(entry)) {
      if (!ENTRY_KEYS.has(key) && !['id', 'provider', 'upstreamModel'].includes(key))
        note(`model_list[*].${key}`, entry.id)
    }
    for (const key of Object.keys(entry.litellm_params)) {
      if (!PARAM_KEYS.has(key)) note(`model_list[*].litellm_params.${key}`, entry.id)
      else if (
        providerVariables(entry.provider).api === 'anthropic' &&
        (REQUEST_DEFAULT_KEYS as readonly string[]).includes(key) &&
        !ANTHROPIC_DEFAULTS.has(key)
      )
        note(`model_list[*].litellm_params.${key} for anthropic/`, entry.id)
    }
    for (const key of Object.keys(entry.model_info ?? {})) {
      if (!INFO_KEYS.has(key)) note(`model_list[*].model_info.${key}`, entry.id)
    }
  }
  for (const [path, ids] of byKey) out.push(notHonoured(path, ids))
  return out
}

/** `https://user:pw@host/v1/?k=v` -> `https://host/v1`: an address as it may be shown. */
function shown(base: string): string {
  if (!URL.canParse(base)) return base
  const url = new URL(base)
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '')
}

const ENV_REF = 'os.environ/'

/** One line per served entry: `model_list[0] fast -> groq llama-3.3-70b at https://… (key: GROQ_API_KEY, set)`. */
export function describeEntries(config: RouterConfig, env: Env): string[] {
  return config.model_list.map((entry) => {
    const row = providerVariables(entry.provider)
    const params = entry.litellm_params
    let base: string
    if (params.api_base === undefined) {
      const found = defaultApiBase(entry.provider, env)
      base = found === undefined ? `no address: set ${row.baseVariable} or api_base` : shown(found)
    } else if (params.api_base.startsWith(ENV_REF)) {
      const value = env[params.api_base.slice(ENV_REF.length)]
      base = value ? shown(normaliseApiBase(entry.provider, value)) : `${params.api_base} (not set)`
    } else base = shown(normaliseApiBase(entry.provider, params.api_base))
    let key: string
    if (params.api_key !== undefined) {
      key = params.api_key.startsWith(ENV_REF)
        ? `${params.api_key.slice(ENV_REF.length)}, ${env[params.api_key.slice(ENV_REF.length)] ? 'set' : 'NOT SET'}`
        : 'given in the file'
    } else if (keyVariableInEnv(entry.provider, env) !== undefined)
      key = `${keyVariableInEnv(entry.provider, env)}, set`
    else key = row.keyless === true ? 'none needed' : `${row.keyVariable}, NOT SET`
    return `${entry.id} ${entry.model_name} -> ${entry.provider} ${entry.upstreamModel} at ${base} (key: ${key})`
  })
}
