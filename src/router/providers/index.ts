/** Every provider plugin, keyed by the prefix of `litellm_params.model`. */
import { anthropic } from './anthropic.js'
import { deepseek } from './deepseek.js'
import { groq } from './groq.js'
import { hostedVllm } from './hosted-vllm.js'
import { ollama } from './ollama.js'
import { openai } from './openai.js'
import { openrouter } from './openrouter.js'
import type { ProviderName } from './provider-names.js'
import type { Provider } from './types.js'

export const PROVIDERS: Record<ProviderName, Provider> = {
  anthropic,
  groq,
  openrouter,
  openai,
  ollama,
  hosted_vllm: hostedVllm,
  deepseek,
}
