/** Ollama's OpenAI-compatible endpoint: local, no key; `OLLAMA_API_BASE` (with or without `/v1`) moves it. */
import { openAICompatibleProvider } from './openai-compatible.js'

export function ollamaBase(configured: string | undefined): string {
  if (!configured) return 'http://localhost:11434/v1'
  const trimmed = configured.replace(/\/+$/, '')
  return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`
}

export const ollama = openAICompatibleProvider({
  name: 'ollama',
  requiresKey: false,
  defaultApiBase: (secrets) => ollamaBase(secrets.OLLAMA_API_BASE),
  dialect: {},
})
