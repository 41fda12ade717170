/**
 * Validates the router configuration (a LiteLLM-style YAML text), or returns the built-in default that routes
 * every provider prefix to that provider. Reading the file is the Node adapter's (`node/load-config.ts`); a
 * non-Node host calls `parseRouterConfig` with the text itself.
 */
import { parse as parseYaml } from 'yaml'
import type { z } from 'zod'
import { AppError } from '../../protocol/errors.js'
import {
  type DisabledEntry,
  ModelEntry,
  type RouterConfig,
  RouterConfigFile,
  type ServedEntry,
} from './config-schema.js'
import { PROVIDER_NAMES } from './provider-names.js'
import { resolveProvider } from './resolve-provider.js'

/**
 * Every provider as a wildcard route: `groq/<anything>` goes to Groq as `<anything>`; Claude Code's own
 * background requests for bare `claude-*` names go to Anthropic (a config file can alias them elsewhere).
 */
export function defaultRouterConfig(): RouterConfig {
  return resolveEntries(
    RouterConfigFile.parse({
      model_list: PROVIDER_NAMES.map((prefix) => ({
        model_name: `${prefix}/*`,
        litellm_params: { model: `${prefix}/*` },
      })),
      router_settings: { model_group_alias: { 'claude-*': 'anthropic/claude-*' } },
    }),
  )
}

function modelNameOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined
  const name = (raw as Record<string, unknown>).model_name
  return typeof name === 'string' ? name : undefined
}

/**
 * Each `model_list` entry checked on its own: one that is malformed or names a provider the router cannot
 * reach is disabled with its reason, and the others serve (LiteLLM itself fails such an entry only when it is
 * called).
 */
function resolveEntries(file: z.infer<typeof RouterConfigFile>): RouterConfig {
  const {
    model_list,
    router_settings,
    general_settings,
    litellm_settings,
    environment_variables,
    ...unread
  } = file
  const served: ServedEntry[] = []
  const disabled: DisabledEntry[] = []
  model_list.forEach((raw, i) => {
    const id = `model_list[${i}]`
    const parsed = ModelEntry.safeParse(raw)
    if (!parsed.success) {
      disabled.push({ id, modelName: modelNameOf(raw), reason: formatIssues(parsed.error) })
      return
    }
    const entry = parsed.data
    const resolution = resolveProvider(entry.litellm_params)
    if (!resolution.ok) {
      disabled.push({ id, modelName: entry.model_name, reason: resolution.reason })
      return
    }
    served.push({ ...entry, id, provider: resolution.provider, upstreamModel: resolution.model })
  })
  return {
    model_list: served,
    disabled,
    router_settings,
    general_settings,
    litellm_settings,
    environment_variables,
    unread,
  }
}

function issuePath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`
  }
  return out === '' ? '(top level)' : out
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issuePath(issue.path)}: ${issue.message}`).join('; ')
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `value` without its keys whose value is null (YAML's `key:` with nothing after it). */
function withoutNulls(value: unknown): unknown {
  if (!isMapping(value)) return value
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null))
}

/**
 * A key written with no value (`litellm_settings:` whose settings are all commented out, `api_key:` left
 * blank) is absent, as it is to LiteLLM (`None`), in the sections and in each entry's `litellm_params` and
 * `model_info`; values inside them (`extra_body`) are kept as written.
 */
function nullsAsAbsent(raw: unknown): unknown {
  if (!isMapping(raw)) return raw
  const top = withoutNulls(raw) as Record<string, unknown>
  for (const section of [
    'router_settings',
    'litellm_settings',
    'general_settings',
    'environment_variables',
  ]) {
    if (isMapping(top[section])) top[section] = withoutNulls(top[section])
  }
  if (Array.isArray(top.model_list)) {
    top.model_list = top.model_list.map((entry) => {
      if (!isMapping(entry)) return entry
      const out = withoutNulls(entry) as Record<string, unknown>
      if (isMapping(out.litellm_params)) out.litellm_params = withoutNulls(out.litellm_params)
      if (isMapping(out.model_info)) out.model_info = withoutNulls(out.model_info)
      return out
    })
  }
  return top
}

/** Parses LiteLLM-style YAML; throws `AppError('invalid_config')` naming `source` and every bad field. */
export function parseRouterConfig(yamlText: string, source = 'router config'): RouterConfig {
  let raw: unknown
  try {
    raw = parseYaml(yamlText)
  } catch (err) {
    throw new AppError('invalid_config', `${source}: not valid YAML: ${(err as Error).message}`, {
      cause: err,
    })
  }
  if (raw === null || raw === undefined) {
    throw new AppError('invalid_config', `${source}: the file is empty; it needs a model_list`)
  }
  const parsed = RouterConfigFile.safeParse(nullsAsAbsent(raw))
  if (!parsed.success) {
    throw new AppError('invalid_config', `${source}: ${formatIssues(parsed.error)}`)
  }
  const config = resolveEntries(parsed.data)
  if (config.model_list.length === 0) {
    const reasons = config.disabled.map(
      (d) => `${d.id}${d.modelName ? ` (${d.modelName})` : ''}: ${d.reason}`,
    )
    throw new AppError(
      'invalid_config',
      `${source}: no model_list entry can be served: ${reasons.join('; ')}`,
    )
  }
  return config
}
