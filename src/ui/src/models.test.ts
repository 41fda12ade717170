import { describe, expect, it } from 'vitest'
import { modelOptions, SEED_MODELS } from './models'

describe('modelOptions', () => {
  it("offers the seed's models, then the router's concrete ids, never a wildcard pattern or a duplicate", () => {
    const ids = modelOptions(
      ['groq/*', 'groq/openai/gpt-oss-120b', 'ollama/qwen3:8b'],
      ['my/custom', undefined],
    ).map((m) => m.id)
    expect(ids.slice(0, SEED_MODELS.length)).toEqual(SEED_MODELS.map((m) => m.id))
    expect(ids.slice(SEED_MODELS.length)).toEqual(['ollama/qwen3:8b', 'my/custom'])
  })
})
