import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ChatCompletionChunk, parseChunk, parseCompletion } from './openai-schema.js'

/** Field values a provider might send, valid for the schema or not. */
const anyOf = (...values: unknown[]) => fc.constantFrom(...values)
const toolCall = fc.record(
  {
    index: anyOf(0, 1, null, 1.5, '0'),
    id: anyOf('call_1', null, 7),
    type: anyOf('function', null, 3),
    function: fc.oneof(
      fc.record(
        {
          name: anyOf('Write', null, 4),
          arguments: anyOf('{"a":', '', null, { a: 1 }, 5),
        },
        { requiredKeys: [] },
      ),
      anyOf(null, 'x'),
    ),
  },
  { requiredKeys: [] },
)

describe('parseChunk', () => {
  it('reads tool-call chunks exactly as the schema does, or leaves them to it', () => {
    fc.assert(
      fc.property(fc.array(toolCall, { maxLength: 3 }), fc.boolean(), (calls, withContent) => {
        const chunk = {
          id: 'c1',
          choices: [
            {
              index: 0,
              delta: { ...(withContent && { content: 'hi' }), tool_calls: calls },
              finish_reason: null,
            },
          ],
        }
        const json = JSON.parse(JSON.stringify(chunk))
        const schema = ChatCompletionChunk.safeParse(json)
        expect(parseChunk(json)).toEqual(schema.success ? schema.data : undefined)
      }),
      { numRuns: 500 },
    )
  })
})

describe('parseCompletion', () => {
  it('folds typed content parts and refusal text into content and reasoning_content', () => {
    const magistral = parseCompletion({
      id: 'm1',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: [
              {
                type: 'thinking',
                thinking: [
                  { type: 'text', text: 'Think. ' },
                  { type: 'text', text: 'More.' },
                ],
              },
              { type: 'text', text: 'Answer.' },
              { type: 'image_url', image_url: { url: 'data:' } },
            ],
          },
          finish_reason: 'stop',
        },
      ],
    })
    expect(magistral?.choices[0]?.message).toMatchObject({
      content: 'Answer.',
      reasoning_content: 'Think. More.',
    })
    const refused = parseCompletion({
      id: 'r1',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: null, refusal: 'I cannot.' },
          finish_reason: 'stop',
        },
      ],
    })
    expect(refused?.choices[0]?.message.content).toBe('I cannot.')
  })
})
