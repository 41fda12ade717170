import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ChatCompletionChunk, parseChunk } from './openai-schema.js'

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
