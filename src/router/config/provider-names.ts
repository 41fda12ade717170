/**
 * The providers the router reaches, by the prefix of `litellm_params.model` (`groq/openai/gpt-oss-120b` ->
 * `groq`), with the environment variables each reads. The one list: the router's plugins (index.ts, which
 * must have one per name), the built-in routes, the server's "configured providers" and the check that no
 * provider key enters a sandbox are all made from it. Data only, so any component can import it.
 */

interface ProviderVariables {
  /** Holds the key when the router config gives none. */
  keyVariable: string
  /** Moves the provider's default address (a local server, a proxy); LiteLLM's `<PROVIDER>_API_BASE`. */
  baseVariable: string
  /** A local server that needs no key: setting `baseVariable` alone configures it. */
  keyless?: true
  /**
   * The model a session starts on when this is the first configured provider and DEFAULT_MODEL is unset;
   * absent for local servers, whose first listed model is taken instead.
   */
  defaultModel?: string
}

export const PROVIDER_CATALOG = {
  groq: {
    keyVariable: 'GROQ_API_KEY',
    baseVariable: 'GROQ_API_BASE',
    defaultModel: 'groq/openai/gpt-oss-120b',
  },
  openrouter: {
    keyVariable: 'OPENROUTER_API_KEY',
    baseVariable: 'OPENROUTER_API_BASE',
    defaultModel: 'openrouter/qwen/qwen3-coder',
  },
  openai: { keyVariable: 'OPENAI_API_KEY', baseVariable: 'OPENAI_API_BASE', defaultModel: 'openai/gpt-4.1' },
  ollama: { keyVariable: 'OLLAMA_API_KEY', baseVariable: 'OLLAMA_API_BASE', keyless: true },
  anthropic: {
    keyVariable: 'ANTHROPIC_API_KEY',
    baseVariable: 'ANTHROPIC_API_BASE',
    defaultModel: 'anthropic/claude-sonnet-4-5',
  },
  deepseek: {
    keyVariable: 'DEEPSEEK_API_KEY',
    baseVariable: 'DEEPSEEK_API_BASE',
    defaultModel: 'deepseek/deepseek-chat',
  },
  hosted_vllm: { keyVariable: 'HOSTED_VLLM_API_KEY', baseVariable: 'HOSTED_VLLM_API_BASE', keyless: true },
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

/**
 * The providers the environment configures, in catalog order: those whose key is set, and local servers
 * whose address is set.
 */
export function configuredProviders(env: Readonly<Record<string, string | undefined>>): ProviderName[] {
  const set = (variable: string) => (env[variable] ?? '').trim() !== ''
  return PROVIDER_NAMES.filter((name) => {
    const entry = providerVariables(name)
    return set(entry.keyVariable) || (entry.keyless === true && set(entry.baseVariable))
  })
}

/** Splits `groq/openai/gpt-oss-120b` into `{provider: 'groq', model: 'openai/gpt-oss-120b'}`. */
export function splitProviderModel(model: string): { provider: string; model: string } {
  const slash = model.indexOf('/')
  if (slash < 0) return { provider: '', model }
  return { provider: model.slice(0, slash), model: model.slice(slash + 1) }
}
