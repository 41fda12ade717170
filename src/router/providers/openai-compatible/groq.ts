/** Groq (https://console.groq.com): OpenAI-compatible; rejects `$schema` and some other schema keywords. */
import { openAICompatibleProvider } from './openai-compatible.js'

/** Published output limits of Groq models (tokens); others are not clamped. */
const MAX_OUTPUT: Record<string, number> = {
  'openai/gpt-oss-120b': 65536,
  'openai/gpt-oss-20b': 65536,
  'llama-3.3-70b-versatile': 32768,
  'llama-3.1-8b-instant': 131072,
  'moonshotai/kimi-k2-instruct': 16384,
  'moonshotai/kimi-k2-instruct-0905': 16384,
  'qwen/qwen3-32b': 40960,
}

export const groq = openAICompatibleProvider({
  name: 'groq',
  requiresKey: true,
  defaultApiBase: (secrets) => secrets.GROQ_API_BASE || 'https://api.groq.com/openai/v1',
  dialect: {
    dropSchemaKeys: new Set(['$schema', 'propertyNames', 'format']),
    maxOutputTokens: (model) => MAX_OUTPUT[model],
  },
})
