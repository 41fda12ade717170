/** DeepSeek: no images; earlier reasoning must be sent back as `reasoning_content` during tool-call turns. */
import { openAICompatibleProvider } from './openai-compatible.js'

export const deepseek = openAICompatibleProvider({
  name: 'deepseek',
  requiresKey: true,
  defaultApiBase: (secrets) => secrets.DEEPSEEK_API_BASE || 'https://api.deepseek.com/v1',
  dialect: {
    images: false,
    reasoningHistory: true,
    maxOutputTokens: (model) =>
      model === 'deepseek-chat' ? 8192 : model === 'deepseek-reasoner' ? 65536 : undefined,
  },
})
