/**
 * The provider catalog (`provider-catalog.ts`) as names and the questions every component asks of it: which
 * prefixes exist, where a provider's key and address come from, and which providers the environment
 * configures. Data only, so any component can import it.
 */
import { PROVIDER_CATALOG, type ProviderRow } from './provider-catalog.js'

export { PROVIDER_CATALOG, type ProviderQuirks, type ProviderRow } from './provider-catalog.js'

export type ProviderName = keyof typeof PROVIDER_CATALOG

export const PROVIDER_NAMES = Object.keys(PROVIDER_CATALOG) as ProviderName[]

/** Every variable any provider reads its key from: these never enter a sandbox and are scrubbed from logs. */
export const PROVIDER_KEY_VARIABLES: readonly string[] = [
  ...new Set(
    Object.values(PROVIDER_CATALOG as Record<string, ProviderRow>).flatMap((row) => [
      row.keyVariable,
      ...(row.moreKeyVariables ?? []),
    ]),
  ),
]

export function isProviderName(value: string): value is ProviderName {
  return Object.hasOwn(PROVIDER_CATALOG, value)
}

/** The row a prefix names, directly or as one of its `aliases`. */
export function providerOfPrefix(prefix: string): ProviderName | undefined {
  if (isProviderName(prefix)) return prefix
  return PROVIDER_NAMES.find((name) => (providerVariables(name).aliases ?? []).includes(prefix))
}

/** The row of `name`. */
export function providerVariables(name: ProviderName): ProviderRow {
  return PROVIDER_CATALOG[name]
}

const set = (env: Readonly<Record<string, string | undefined>>, variable: string) =>
  (env[variable] ?? '').trim() !== ''

/** The variable the provider's key is read from: `keyVariable`, then LiteLLM's other names, the first set. */
export function keyVariableInEnv(
  name: ProviderName,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const row = providerVariables(name)
  return [row.keyVariable, ...(row.moreKeyVariables ?? [])].find((v) => set(env, v))
}

/** The provider's key from the environment: `keyVariable`, then LiteLLM's other names for it. */
export function keyFromEnv(
  name: ProviderName,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const variable = keyVariableInEnv(name, env)
  return variable === undefined ? undefined : env[variable]
}

/**
 * The providers the environment configures, in catalog order: those whose key is set, and local servers
 * whose address is set.
 */
export function configuredProviders(env: Readonly<Record<string, string | undefined>>): ProviderName[] {
  return PROVIDER_NAMES.filter((name) => {
    const row = providerVariables(name)
    return keyFromEnv(name, env) !== undefined || (row.keyless === true && set(env, row.baseVariable))
  })
}

/**
 * `base` with the provider's fixed path (Ollama's `/v1`) added when missing and trailing slashes removed, so
 * LiteLLM's usual `api_base: http://host:11434` reaches Ollama's OpenAI-compatible API.
 */
export function normaliseApiBase(name: ProviderName, base: string): string {
  const trimmed = base.replace(/\/+$/, '')
  const path = providerVariables(name).basePath
  return path === undefined || trimmed.endsWith(path) ? trimmed : `${trimmed}${path}`
}

/**
 * The provider's address when the config gives no `api_base`: `baseVariable`, else the row's default with
 * `{NAME}` filled from the environment; undefined when there is none (or a variable it needs is unset).
 */
export function defaultApiBase(
  name: ProviderName,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const row = providerVariables(name)
  const fromEnv = env[row.baseVariable]?.trim()
  if (fromEnv) return normaliseApiBase(name, fromEnv)
  if (row.defaultBase === undefined) return undefined
  let missing = false
  const filled = row.defaultBase.replace(/\{([A-Z0-9_]+)\}/g, (_, variable: string) => {
    const value = env[variable]?.trim()
    if (!value) missing = true
    return encodeURIComponent(value ?? '')
  })
  return missing ? undefined : normaliseApiBase(name, filled)
}

/** The variables `{NAME}` in the row's default address needs (Cloudflare's `CLOUDFLARE_ACCOUNT_ID`). */
export function defaultBaseVariables(name: ProviderName): string[] {
  return [...(providerVariables(name).defaultBase ?? '').matchAll(/\{([A-Z0-9_]+)\}/g)].map((m) => m[1]!)
}

/** Splits `groq/openai/gpt-oss-120b` into `{provider: 'groq', model: 'openai/gpt-oss-120b'}`. */
export function splitProviderModel(model: string): { provider: string; model: string } {
  const slash = model.indexOf('/')
  if (slash < 0) return { provider: '', model }
  return { provider: model.slice(0, slash), model: model.slice(slash + 1) }
}
