/**
 * Validates the router configuration (a LiteLLM-style YAML text), or returns the built-in default that routes
 * every provider prefix to that provider. Reading the file is the Node adapter's (`node/load-config.ts`); a
 * non-Node host calls `parseRouterConfig` with the text itself.
 */
import { parse as parseYaml } from 'yaml'
import type { z } from 'zod'
import { AppError } from '../../protocol/errors.js'
import { RouterConfig } from './config-schema.js'
import { PROVIDER_NAMES } from './provider-names.js'

/**
 * Every provider as a wildcard route: `groq/<anything>` goes to Groq as `<anything>`; Claude Code's own
 * background requests for bare `claude-*` names go to Anthropic (a config file can alias them elsewhere).
 */
export function defaultRouterConfig(): RouterConfig {
  return RouterConfig.parse({
    model_list: PROVIDER_NAMES.map((prefix) => ({
      model_name: `${prefix}/*`,
      litellm_params: { model: `${prefix}/*` },
    })),
    router_settings: { model_group_alias: { 'claude-*': 'anthropic/claude-*' } },
  })
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
  const parsed = RouterConfig.safeParse(raw)
  if (!parsed.success) {
    throw new AppError('invalid_config', `${source}: ${formatIssues(parsed.error)}`)
  }
  return parsed.data
}
