/** Every provider plugin, keyed by the prefix of `litellm_params.model`. */

import type { ProviderName } from '../config/provider-names.js'
import { anthropic } from './anthropic/anthropic.js'
import { deepseek } from './openai-compatible/deepseek.js'
import { groq } from './openai-compatible/groq.js'
import { hostedVllm } from './openai-compatible/hosted-vllm.js'
import { ollama } from './openai-compatible/ollama.js'
import { openai } from './openai-compatible/openai.js'
import { openrouter } from './openai-compatible/openrouter.js'
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
