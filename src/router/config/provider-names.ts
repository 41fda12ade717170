/**
 * The providers the router reaches, by the prefix of `litellm_params.model` (`groq/openai/gpt-oss-120b` ->
 * `groq`), with the environment variables each reads. The one list: the router's plugins (index.ts, which
 * must have one per name), the built-in routes, the server's "configured providers" and the check that no
 * provider key enters a sandbox are all made from it. Data only, so any component can import it.
 */

interface ProviderVariables {
  /** Holds the key when the router config gives none. */
  keyVariable: string
  /** Moves the provider's default address (a local server). */
  baseVariable?: string
}

export const PROVIDER_CATALOG = {
  groq: { keyVariable: 'GROQ_API_KEY' },
  openrouter: { keyVariable: 'OPENROUTER_API_KEY' },
  openai: { keyVariable: 'OPENAI_API_KEY' },
  ollama: { keyVariable: 'OLLAMA_API_KEY', baseVariable: 'OLLAMA_API_BASE' },
  anthropic: { keyVariable: 'ANTHROPIC_API_KEY' },
  deepseek: { keyVariable: 'DEEPSEEK_API_KEY' },
  hosted_vllm: { keyVariable: 'HOSTED_VLLM_API_KEY', baseVariable: 'HOSTED_VLLM_API_BASE' },
} as const satisfies Record<string, ProviderVariables>

export type ProviderName = keyof typeof PROVIDER_CATALOG

export const PROVIDER_NAMES = Object.keys(PROVIDER_CATALOG) as ProviderName[]

export function isProviderName(value: string): value is ProviderName {
  return Object.hasOwn(PROVIDER_CATALOG, value)
}

/** The variables that configure `name`: its key, and its address where it has one. */
export function providerVariables(name: ProviderName): ProviderVariables {
  return PROVIDER_CATALOG[name]
}

/** Splits `groq/openai/gpt-oss-120b` into `{provider: 'groq', model: 'openai/gpt-oss-120b'}`. */
export function splitProviderModel(model: string): { provider: string; model: string } {
  const slash = model.indexOf('/')
  if (slash < 0) return { provider: '', model }
  return { provider: model.slice(0, slash), model: model.slice(slash + 1) }
}
