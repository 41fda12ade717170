/**
 * USD per million tokens for the models the router commonly serves, so usage can carry a cost. A config's
 * `model_info.input_cost_per_token` / `output_cost_per_token` (LiteLLM's fields, USD per token) win; local
 * providers (Ollama, vLLM) cost 0; an unknown model has no cost (null) rather than a guessed one.
 */
import type { ModelInfo } from '../config/config-schema.js'
import { type ProviderName, providerVariables } from '../config/provider-names.js'

interface Price {
  input: number
  output: number
  /** Cached input, when the provider bills it apart. */
  cachedInput?: number
}

/** Keyed by `provider/upstream-model`; prices as published by the providers in 2025. */
const PRICES: Record<string, Price> = {
  'groq/openai/gpt-oss-120b': { input: 0.15, output: 0.6, cachedInput: 0.075 },
  'groq/openai/gpt-oss-20b': { input: 0.075, output: 0.3, cachedInput: 0.0375 },
  'groq/llama-3.3-70b-versatile': { input: 0.59, output: 0.79 },
  'groq/llama-3.1-8b-instant': { input: 0.05, output: 0.08 },
  'groq/moonshotai/kimi-k2-instruct-0905': { input: 1, output: 3 },
  'groq/qwen/qwen3-32b': { input: 0.29, output: 0.59 },
  'openrouter/z-ai/glm-4.5': { input: 0.6, output: 2.2 },
  'openrouter/qwen/qwen3-coder': { input: 0.22, output: 0.95 },
  'openai/gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
  'openai/gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
  'openai/gpt-4.1': { input: 2, output: 8, cachedInput: 0.5 },
  'openai/gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1 },
  'deepseek/deepseek-chat': { input: 0.27, output: 1.1, cachedInput: 0.07 },
  'deepseek/deepseek-reasoner': { input: 0.55, output: 2.19, cachedInput: 0.14 },
  'anthropic/claude-sonnet-4-5': { input: 3, output: 15, cachedInput: 0.3 },
  'anthropic/claude-sonnet-4': { input: 3, output: 15, cachedInput: 0.3 },
  'anthropic/claude-opus-4-1': { input: 15, output: 75, cachedInput: 1.5 },
  'anthropic/claude-haiku-4-5': { input: 1, output: 5, cachedInput: 0.1 },
  'anthropic/claude-3-5-haiku': { input: 0.8, output: 4, cachedInput: 0.08 },
}

/** Anthropic model ids carry a date suffix (`claude-sonnet-4-5-20250929`): price them by their family. */
function lookup(key: string): Price | undefined {
  return PRICES[key] ?? PRICES[key.replace(/-\d{8}$/, '')] ?? PRICES[key.replace(/-latest$/, '')]
}

export interface TokenCounts {
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
}

export function costUsd(
  provider: ProviderName,
  upstreamModel: string,
  modelInfo: ModelInfo | undefined,
  tokens: TokenCounts,
): number | null {
  const info = modelInfo as Record<string, unknown> | undefined
  const inPerToken = info?.input_cost_per_token
  const outPerToken = info?.output_cost_per_token
  if (typeof inPerToken === 'number' && typeof outPerToken === 'number') {
    return (tokens.inputTokens + tokens.cacheReadTokens) * inPerToken + tokens.outputTokens * outPerToken
  }
  if (providerVariables(provider).local === true) return 0
  const price = lookup(`${provider}/${upstreamModel}`)
  if (!price) return null
  const perMillion =
    tokens.inputTokens * price.input +
    tokens.cacheReadTokens * (price.cachedInput ?? price.input) +
    tokens.outputTokens * price.output
  return perMillion / 1_000_000
}
