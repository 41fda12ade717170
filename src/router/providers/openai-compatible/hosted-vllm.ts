/** A self-hosted vLLM server: needs `api_base` (or `HOSTED_VLLM_API_BASE`); the key is optional. */
import { openAICompatibleProvider } from './openai-compatible.js'

export const hostedVllm = openAICompatibleProvider({
  name: 'hosted_vllm',
  requiresKey: false,
  defaultApiBase: (secrets) => secrets.HOSTED_VLLM_API_BASE || undefined,
  dialect: {},
})
