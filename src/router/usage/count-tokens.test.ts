import { describe, expect, it } from 'vitest'
import { scriptedFetch } from '../__fixtures__/harness.js'
import { routerWith } from '../__fixtures__/router-setup.js'
import { countRequestTokens, imageSize } from './count-tokens.js'

/** A 2x3 PNG (only the header matters). */
const PNG_HEADER = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0x03, 0x20, 0, 0,
  0x02, 0x58, 8, 6, 0, 0, 0,
])
const PNG = btoa(String.fromCharCode(...PNG_HEADER))

describe('count_tokens', () => {
  it('counts text with a real tokenizer', async () => {
    const one = await countRequestTokens({ messages: [{ role: 'user', content: 'hello world' }] })
    const many = await countRequestTokens({
      messages: [{ role: 'user', content: 'hello world '.repeat(100) }],
    })
    expect(one).toBe(2 + 4)
    expect(many).toBeGreaterThan(190)
    expect(many).toBeLessThan(220)
  })

  it('counts every block type: system, tool_use, tool_result, images, thinking, documents and tools', async () => {
    const base = { messages: [{ role: 'user' as const, content: 'x' }] }
    const n = (extra: object) =>
      countRequestTokens({ ...base, ...extra } as Parameters<typeof countRequestTokens>[0])
    const baseline = await n({})
    expect(
      await n({ system: [{ type: 'text', text: 'You are Claude Code, a coding agent.' }] }),
    ).toBeGreaterThan(baseline + 5)
    const withCall = await n({
      messages: [
        { role: 'user', content: 'x' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 't', name: 'Bash', input: { command: 'ls -la /workspace' } }],
        },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 't',
              content: [{ type: 'text', text: 'file-a.txt\nfile-b.txt' }],
            },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          ],
        },
        {
          role: 'assistant',
          content: [{ type: 'thinking', thinking: 'Two files are there.', signature: 's' }],
        },
        {
          role: 'user',
          content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'a note' } }],
        },
      ],
    })
    expect(withCall - baseline).toBeGreaterThan((800 * 600) / 750 + 20)
    const withTools = await n({
      tools: [
        {
          name: 'Read',
          description: 'Reads a file',
          input_schema: { type: 'object', properties: { file_path: { type: 'string' } } },
        },
      ],
    })
    expect(withTools - baseline).toBeGreaterThan(300)
  })

  it('reads image sizes from PNG headers', () => {
    expect(imageSize(PNG)).toEqual({ width: 800, height: 600 })
    expect(imageSize('bm90IGFuIGltYWdl')).toBeUndefined()
  })

  it('answers count_tokens locally for non-Anthropic routes, without calling the provider', async () => {
    const upstream = scriptedFetch([])
    const { post } = routerWith(
      'model_list: [{model_name: "groq/*", litellm_params: {model: "groq/*"}}]',
      upstream.fetch,
    )
    const res = await post(
      { model: 'groq/openai/gpt-oss-120b', messages: [{ role: 'user', content: 'hello world' }] },
      {},
      '/v1/messages/count_tokens',
    )
    expect(await res.json()).toEqual({ input_tokens: 6 })
    expect(upstream.calls).toHaveLength(0)
  })
})
