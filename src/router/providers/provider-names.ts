/** The provider prefixes a `litellm_params.model` may start with (`groq/openai/gpt-oss-120b` -> `groq`). */
export const PROVIDER_NAMES = [
  'anthropic',
  'groq',
  'openrouter',
  'openai',
  'ollama',
  'hosted_vllm',
  'deepseek',
] as const

export type ProviderName = (typeof PROVIDER_NAMES)[number]

export function isProviderName(value: string): value is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(value)
}

/** Splits `groq/openai/gpt-oss-120b` into `{provider: 'groq', model: 'openai/gpt-oss-120b'}`. */
export function splitProviderModel(model: string): { provider: string; model: string } {
  const slash = model.indexOf('/')
  if (slash < 0) return { provider: '', model }
  return { provider: model.slice(0, slash), model: model.slice(slash + 1) }
}
