import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { claudeCodeSessionRequest, smallClaudeCodeRequest } from '../__fixtures__/claude-code-request.js'
import { MessagesRequest, ToolDefinition } from './anthropic-request.js'
import { JsonObject } from './json-object.js'
import { ChatTool, OpenAIChatBody } from './openai-chat-request.js'

/** The schema `JsonObject` replaced, and the request schemas as they were with it. */
const RecordObject = z.record(z.string(), z.unknown())
const OldMessagesRequest = MessagesRequest.extend({
  tools: z.array(ToolDefinition.extend({ input_schema: RecordObject.optional() })).optional(),
})
const OldChatBody = OpenAIChatBody.extend({
  tools: z
    .array(
      ChatTool.extend({
        function: ChatTool.shape.function.extend({ parameters: RecordObject.optional() }),
      }),
    )
    .nullish(),
})

/** The same verdict, the same parsed value (key order included) and the same issues, but for one wording. */
function expectSameParse(before: z.ZodType, after: z.ZodType, input: unknown): void {
  const old = before.safeParse(input)
  const now = after.safeParse(input)
  expect(now.success).toBe(old.success)
  if (old.success && now.success) {
    expect(now.data).toStrictEqual(old.data)
    expect(JSON.stringify(now.data)).toBe(JSON.stringify(old.data))
    return
  }
  const issues = (r: typeof old) =>
    (r.error?.issues ?? []).map((i) => ({
      code: i.code,
      path: i.path,
      message: i.message.replace('expected record', 'expected object'),
    }))
  expect(issues(now)).toEqual(issues(old))
}

// Each value goes through JSON text first: request bodies only ever reach the schemas from `JSON.parse`.
const viaJson = (text: string): unknown => JSON.parse(text)

const odd = [
  '{}',
  '[]',
  'null',
  '"object"',
  '0',
  'true',
  '{"__proto__":{"polluted":true},"type":"object"}',
  '{"constructor":{"prototype":null},"type":"object"}',
  '{"b":1,"2":2,"a":3,"1":4}',
  '{"type":"object","properties":{"x":{"type":"string"}},"required":["x"],"$schema":"s"}',
]

describe('JsonObject', () => {
  it('accepts, rejects and copies JSON values like z.record(z.string(), z.unknown())', () => {
    for (const text of odd) expectSameParse(RecordObject, JsonObject, viaJson(text))
    fc.assert(
      fc.property(fc.jsonValue(), (v) =>
        expectSameParse(RecordObject, JsonObject, viaJson(JSON.stringify(v))),
      ),
      { numRuns: 500 },
    )
  })

  it('parses Messages requests as the record-typed tool schema did', () => {
    const bodies: unknown[] = [smallClaudeCodeRequest, claudeCodeSessionRequest()]
    for (const text of odd) {
      const body = claudeCodeSessionRequest()
      bodies.push({ ...body, tools: [{ name: 'T', input_schema: viaJson(text) }, ...body.tools] })
    }
    bodies.push({ ...smallClaudeCodeRequest, tools: [{ name: 'web_search', type: 'web_search_20250305' }] })
    bodies.push({ ...smallClaudeCodeRequest, tools: [{ name: '', input_schema: [] }] })
    bodies.push({ ...smallClaudeCodeRequest, max_tokens: 0, tools: [{ name: 'T', input_schema: 1 }] })
    for (const body of bodies)
      expectSameParse(OldMessagesRequest, MessagesRequest, viaJson(JSON.stringify(body)))
  })

  it('parses any JSON tool list in a Messages or chat request as before', () => {
    const tool = fc.record(
      { name: fc.oneof(fc.string(), fc.jsonValue()), input_schema: fc.jsonValue(), type: fc.string() },
      { requiredKeys: [] },
    )
    const chatTool = fc.record(
      {
        type: fc.constant('function'),
        function: fc.oneof(
          tool.map((t) => ({ ...t, parameters: t.input_schema })),
          fc.jsonValue(),
        ),
      },
      { requiredKeys: ['function'] },
    )
    const chatBody = { model: 'm', messages: [{ role: 'user', content: 'hi' }] }
    fc.assert(
      fc.property(
        fc.array(tool, { maxLength: 3 }),
        fc.array(chatTool, { maxLength: 3 }),
        (tools, chatTools) => {
          expectSameParse(
            OldMessagesRequest,
            MessagesRequest,
            viaJson(JSON.stringify({ ...smallClaudeCodeRequest, tools })),
          )
          expectSameParse(
            OldChatBody,
            OpenAIChatBody,
            viaJson(JSON.stringify({ ...chatBody, tools: chatTools })),
          )
        },
      ),
      { numRuns: 500 },
    )
  })
})
