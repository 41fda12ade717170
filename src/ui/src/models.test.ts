import { describe, expect, it } from 'vitest'
import { modelOptions, OTHER_MODEL } from './models'

describe('modelOptions', () => {
  it("offers the router's models, then extras, then an 'other model' entry per wildcard route", () => {
    const options = modelOptions(
      ['groq/openai/gpt-oss-120b', 'groq/*', 'ollama/qwen3:8b'],
      ['my/custom', 'ollama/qwen3:8b', undefined],
      ['groq/*'],
    )
    expect(options.map((m) => m.id)).toEqual([
      'groq/openai/gpt-oss-120b',
      'ollama/qwen3:8b',
      'my/custom',
      `${OTHER_MODEL}groq/`,
    ])
    expect(options.at(-1)?.label).toBe('Other groq/ model…')
  })
})
