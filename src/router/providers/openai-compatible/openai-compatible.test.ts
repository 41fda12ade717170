import { describe, expect, it } from 'vitest'
import { defaultApiBase, normaliseApiBase } from '../../config/provider-names.js'
import { azureChatUrl, chatCompletionsUrl } from './openai-compatible.js'

describe('OpenAI-compatible endpoint URLs', () => {
  it('builds the chat completions URL from a base URL with or without the path', () => {
    expect(chatCompletionsUrl('https://h/v1/')).toBe('https://h/v1/chat/completions')
    expect(chatCompletionsUrl('https://h/v1/chat/completions')).toBe('https://h/v1/chat/completions')
  })

  it("adds Ollama's /v1 to every base URL, configured or default, and defaults to the local server", () => {
    expect(defaultApiBase('ollama', {})).toBe('http://localhost:11434/v1')
    expect(defaultApiBase('ollama', { OLLAMA_API_BASE: 'http://gpu:11434/' })).toBe('http://gpu:11434/v1')
    expect(normaliseApiBase('ollama', 'http://gpu:11434')).toBe('http://gpu:11434/v1')
    expect(normaliseApiBase('ollama', 'http://gpu:11434/v1/')).toBe('http://gpu:11434/v1')
    expect(normaliseApiBase('hosted_vllm', 'http://gpu:8000')).toBe('http://gpu:8000')
  })

  it("fills Cloudflare's account id into its default address, and has none without it", () => {
    expect(defaultApiBase('cloudflare', { CLOUDFLARE_ACCOUNT_ID: 'acc1' })).toBe(
      'https://api.cloudflare.com/client/v4/accounts/acc1/ai/v1',
    )
    expect(defaultApiBase('cloudflare', {})).toBeUndefined()
  })

  it("builds Azure's deployment URL with api-version, and keeps a base that already names the deployment", () => {
    expect(azureChatUrl('https://res.openai.azure.com/', 'gpt-4o', '2024-10-21')).toBe(
      'https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21',
    )
    expect(
      azureChatUrl(
        'https://res.openai.azure.com/openai/deployments/prod?api-version=2025-01-01',
        'x',
        '2024-10-21',
      ),
    ).toBe('https://res.openai.azure.com/openai/deployments/prod/chat/completions?api-version=2025-01-01')
  })
})
