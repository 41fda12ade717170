/** OpenAI: current models take `max_completion_tokens` and reject `max_tokens`. */
import { openAICompatibleProvider } from './openai-compatible.js'

export const openai = openAICompatibleProvider({
  name: 'openai',
  requiresKey: true,
  defaultApiBase: (secrets) => secrets.OPENAI_API_BASE || 'https://api.openai.com/v1',
  dialect: { maxTokensField: 'max_completion_tokens' },
})
