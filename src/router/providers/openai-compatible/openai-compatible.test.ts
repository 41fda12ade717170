import { describe, expect, it } from 'vitest'
import { ollamaBase } from './ollama.js'
import { chatCompletionsUrl } from './openai-compatible.js'

describe('OpenAI-compatible endpoint URLs', () => {
  it('builds the chat completions URL from a base URL with or without the path', () => {
    expect(chatCompletionsUrl('https://h/v1/')).toBe('https://h/v1/chat/completions')
    expect(chatCompletionsUrl('https://h/v1/chat/completions')).toBe('https://h/v1/chat/completions')
  })

  it("adds Ollama's /v1 to its base URL, and defaults to the local server", () => {
    expect(ollamaBase(undefined)).toBe('http://localhost:11434/v1')
    expect(ollamaBase('http://gpu:11434/')).toBe('http://gpu:11434/v1')
  })
})
