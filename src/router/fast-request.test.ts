import { describe, expect, it } from 'vitest'
import { MessagesRequest } from './anthropic-request.js'
import { fastChatBody, fastMessagesRequest } from './fast-request.js'
import { OpenAIChatBody } from './openai-chat-request.js'
import { ChatCompletion, parseCompletion } from './openai-schema.js'

const claudeCodeLike = {
  model: 'claude-sonnet-4-5',
  max_tokens: 32000,
  stream: true,
  system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'List the files.' }] },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Use Bash.', signature: 'sig' },
        { type: 'text', text: 'Listing.' },
        { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'a.ts' }] },
        { type: 'tool_result', tool_use_id: 'toolu_2', content: 'b.ts', is_error: false },
      ],
    },
  ],
  tools: [{ name: 'Bash', description: 'Run', input_schema: { type: 'object', properties: {} } }],
  tool_choice: { type: 'auto' },
  temperature: 1,
  thinking: { type: 'enabled', budget_tokens: 1024 },
  metadata: { user_id: 'u' },
}

describe('fastMessagesRequest', () => {
  it('accepts what zod accepts, with the same values', () => {
    expect(fastMessagesRequest(claudeCodeLike)).toEqual(MessagesRequest.parse(claudeCodeLike))
  })

  it('leaves everything unusual or invalid to zod', () => {
    const cases: unknown[] = [
      { ...claudeCodeLike, max_tokens: 0 },
      { ...claudeCodeLike, model: '' },
      { ...claudeCodeLike, stream: null },
      { ...claudeCodeLike, messages: [{ role: 'tool', content: 'x' }] },
      { ...claudeCodeLike, messages: [{ role: 'user', content: [{ type: 'server_tool_use' }] }] },
      {
        ...claudeCodeLike,
        messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'a', name: 'b' }] }],
      },
      { ...claudeCodeLike, tools: [{ name: '' }] },
      { ...claudeCodeLike, tool_choice: { type: 'tool' } },
      { ...claudeCodeLike, stop_sequences: [1] },
    ]
    for (const c of cases) expect(fastMessagesRequest(c)).toBeUndefined()
  })
})

const chat = {
  model: 'gpt-4o',
  stream: true,
  stream_options: { include_usage: true },
  max_tokens: 100,
  messages: [
    { role: 'system', content: 'Be brief.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Hi' },
        { type: 'image_url', image_url: { url: 'u' } },
      ],
    },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
    },
    { role: 'tool', tool_call_id: 'c1', content: 'done' },
  ],
  temperature: 0.2,
  stop: ['x'],
}

describe('fastChatBody', () => {
  it('accepts what zod accepts, with the same values', () => {
    expect(fastChatBody(chat)).toEqual(OpenAIChatBody.parse(chat))
  })

  it('leaves tools, invalid and unusual bodies to zod', () => {
    const cases: unknown[] = [
      { ...chat, tools: [{ type: 'function', function: { name: 'f' } }] },
      { ...chat, messages: [] },
      { ...chat, user: null },
      { ...chat, max_tokens: 1.5 },
      { ...chat, messages: [{ role: 'bot', content: 'x' }] },
      { ...chat, stream: 'yes' },
    ]
    for (const c of cases) expect(fastChatBody(c)).toBeUndefined()
  })
})

describe('parseCompletion', () => {
  it('reads a text answer by hand and the rest through the schema', () => {
    const text = {
      id: 'c',
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 0 } },
    }
    expect(parseCompletion(text)).toEqual(ChatCompletion.parse(text))
    const tool = {
      choices: [
        {
          message: { content: null, tool_calls: [{ id: 't', function: { name: 'f', arguments: { a: 1 } } }] },
        },
      ],
    }
    expect(parseCompletion(tool)).toEqual(ChatCompletion.parse(tool))
    expect(parseCompletion({ choices: [{ message: { content: 1 } }] })).toBeUndefined()
  })
})
