/** OpenRouter (https://openrouter.ai): OpenAI-compatible; takes `reasoning.max_tokens` for Anthropic's `thinking`. */
import { openAICompatibleProvider } from './openai-compatible.js'

export const openrouter = openAICompatibleProvider({
  name: 'openrouter',
  requiresKey: true,
  defaultApiBase: (secrets) => secrets.OPENROUTER_API_BASE || 'https://openrouter.ai/api/v1',
  headers: { 'x-title': 'agent-router' },
  dialect: {
    mapThinking: (thinking) =>
      thinking.type === 'enabled' && thinking.budget_tokens !== undefined
        ? { reasoning: { max_tokens: thinking.budget_tokens } }
        : undefined,
  },
})
