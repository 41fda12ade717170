import { describe, expect, it } from 'vitest'
import { MessagesRequest } from '../../wire/anthropic-request.js'
import { toAnthropicToolId } from '../../wire/tool-call-id.js'
import { buildOpenAIRequest, type OpenAIDialect } from './build-openai-request.js'

const DIALECT: OpenAIDialect = {
  dropSchemaKeys: new Set(['$schema']),
  images: true,
  reasoningHistory: false,
  maxTokensField: 'max_tokens',
}

function build(
  request: Record<string, unknown>,
  dialect: Partial<OpenAIDialect> = {},
  maxOutputTokens?: number,
) {
  const parsed = MessagesRequest.parse({ model: 'groq/x', max_tokens: 1000, ...request })
  return buildOpenAIRequest(parsed, { ...DIALECT, ...dialect }, { upstreamModel: 'x', maxOutputTokens })
}

const toolTurn = (resultContent: unknown, extra: Record<string, unknown>[] = [], isError?: boolean) => [
  { role: 'user', content: 'go' },
  {
    role: 'assistant',
    content: [
      { type: 'text', text: 'Reading.' },
      { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: 'a' } },
      { type: 'tool_use', id: 'toolu_2', name: 'Read', input: {} },
    ],
  },
  {
    role: 'user',
    content: [
      ...extra,
      {
        type: 'tool_result',
        tool_use_id: 'toolu_2',
        content: resultContent,
        ...(isError ? { is_error: true } : {}),
      },
      {
        type: 'tool_result',
        tool_use_id: 'toolu_1',
        content: [{ type: 'text', text: 'one' }],
        cache_control: { type: 'ephemeral' },
      },
    ],
  },
]

describe('buildOpenAIRequest', () => {
  it('puts a string system prompt first', () => {
    expect(build({ system: 'be brief', messages: [{ role: 'user', content: 'hi' }] }).messages).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi' },
    ])
  })

  it('joins system entries sent inside messages (as Claude Code does) to the leading system message', () => {
    const messages = build({
      system: [{ type: 'text', text: 'You are Claude Code.' }],
      messages: [
        { role: 'system', content: 'Primary working directory: /w' },
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'system', content: [{ type: 'text', text: 'Environment update: cwd /v' }] },
        { role: 'user', content: 'again' },
      ],
    }).messages
    expect(messages).toEqual([
      {
        role: 'system',
        content: 'You are Claude Code.\n\nPrimary working directory: /w\n\nEnvironment update: cwd /v',
      },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
      { role: 'user', content: 'again' },
    ])
  })

  it('places tool results right after the calls and keeps text sent alongside them as a following user message', () => {
    const messages = build({ messages: toolTurn('two', [{ type: 'text', text: 'also: hurry' }]) }).messages
    expect(messages).toEqual([
      { role: 'user', content: 'go' },
      {
        role: 'assistant',
        content: 'Reading.',
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'Read', arguments: '{"file_path":"a"}' } },
          { id: 'toolu_2', type: 'function', function: { name: 'Read', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_2', content: 'two' },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'one' },
      { role: 'user', content: 'also: hurry' },
    ])
  })

  it('keeps is_error, empty results and images from tool results', () => {
    const image = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }
    const withImage = build({ messages: toolTurn([{ type: 'text', text: 'shot' }, image]) }).messages
    expect(withImage.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'toolu_2', content: 'shot\n[image: see the next message]' },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'one' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
    ])
    const noImages = build({ messages: toolTurn([image]) }, { images: false }).messages
    expect(noImages[2]).toEqual({
      role: 'tool',
      tool_call_id: 'toolu_2',
      content: '[image omitted: this model does not accept images]',
    })
    expect(build({ messages: toolTurn('') }).messages[2]).toEqual({
      role: 'tool',
      tool_call_id: 'toolu_2',
      content: '(no output)',
    })
    expect(build({ messages: toolTurn(undefined) }).messages[2]).toMatchObject({ content: '(no output)' })
    expect(build({ messages: toolTurn('boom', [], true) }).messages[2]).toMatchObject({
      content: 'Error: boom',
    })
  })

  it("names the tools a ToolSearch loaded (Claude Code's tool_reference blocks)", () => {
    const loaded = [
      { type: 'tool_reference', tool_name: 'TaskCreate' },
      { type: 'tool_reference', tool_name: 'TaskUpdate' },
    ]
    expect(build({ messages: toolTurn(loaded) }).messages[2]).toEqual({
      role: 'tool',
      tool_call_id: 'toolu_2',
      content: '[tool loaded: TaskCreate]\n[tool loaded: TaskUpdate]',
    })
  })

  it('answers tool calls that got no result so the provider does not reject the history', () => {
    const messages = build({
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_9', name: 'Bash', input: { command: 'sleep 99' } }],
        },
        { role: 'user', content: [{ type: 'text', text: '[Request interrupted by user]' }] },
      ],
    }).messages
    expect(messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'toolu_9', content: '[no result: the tool call was interrupted]' },
      { role: 'user', content: '[Request interrupted by user]' },
    ])
  })

  it('sends provider tool-call ids back exactly as the provider made them', () => {
    const original = 'functions.Bash:0'
    const anthropicId = toAnthropicToolId(original)
    expect(anthropicId).toMatch(/^[a-zA-Z0-9_-]+$/)
    const messages = build({
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: anthropicId, name: 'Bash', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: anthropicId, content: 'ok' }] },
      ],
    }).messages
    expect(messages[1]).toMatchObject({ tool_calls: [{ id: original }] })
    expect(messages[2]).toEqual({ role: 'tool', tool_call_id: original, content: 'ok' })
  })

  it('drops thinking, context_management, output_config, metadata, top_k and cache_control', () => {
    const body = build({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 's' },
            { type: 'text', text: 'yo' },
          ],
        },
      ],
      thinking: { type: 'adaptive' },
      context_management: { edits: [] },
      output_config: { effort: 'low' },
      metadata: { user_id: 'u' },
      top_k: 5,
    })
    expect(body).toEqual({
      model: 'x',
      stream: false,
      max_tokens: 1000,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'yo' },
      ],
    })
  })

  it('sends earlier thinking back as reasoning_content for providers that need it', () => {
    const body = build(
      {
        messages: [
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'plan', signature: '' },
              { type: 'text', text: 'ok' },
            ],
          },
        ],
      },
      { reasoningHistory: true },
    )
    expect(body.messages).toEqual([{ role: 'assistant', content: 'ok', reasoning_content: 'plan' }])
  })

  it('maps thinking to the provider setting only through the dialect', () => {
    const mapThinking: OpenAIDialect['mapThinking'] = (t) => ({ reasoning: { max_tokens: t.budget_tokens } })
    const body = build({ messages: [], thinking: { type: 'enabled', budget_tokens: 2048 } }, { mapThinking })
    expect(body.reasoning).toEqual({ max_tokens: 2048 })
  })

  it('cleans tool schemas for the provider, keeping properties named like keywords', () => {
    const body = build(
      {
        messages: [],
        tools: [
          {
            name: 'Fetch',
            input_schema: {
              $schema: 'http://json-schema.org/draft-07/schema#',
              type: 'object',
              properties: {
                format: { type: 'string', format: 'uri' },
                map: { type: 'object', propertyNames: { pattern: '^a' } },
              },
            },
          },
          { name: 'NoArgs', input_schema: {} },
          { type: 'web_search_20250305', name: 'web_search' },
        ],
      },
      { dropSchemaKeys: new Set(['$schema', 'format', 'propertyNames']) },
    )
    expect(body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'Fetch',
          parameters: { type: 'object', properties: { format: { type: 'string' }, map: { type: 'object' } } },
        },
      },
      { type: 'function', function: { name: 'NoArgs', parameters: { type: 'object', properties: {} } } },
    ])
  })

  it('maps tool_choice, stop_sequences, temperature, top_p and streaming usage', () => {
    const tools = [{ name: 'T', input_schema: { type: 'object', properties: {} } }]
    const choice = (tool_choice: unknown) => build({ messages: [], tools, tool_choice })
    expect(choice({ type: 'any' }).tool_choice).toBe('required')
    expect(choice({ type: 'auto', disable_parallel_tool_use: true })).toMatchObject({
      tool_choice: 'auto',
      parallel_tool_calls: false,
    })
    expect(choice({ type: 'tool', name: 'T' }).tool_choice).toEqual({
      type: 'function',
      function: { name: 'T' },
    })
    expect(choice({ type: 'none' }).tool_choice).toBe('none')
    expect(build({ messages: [], tool_choice: { type: 'any' } }).tool_choice).toBeUndefined()
    const body = build({ messages: [], stream: true, stop_sequences: ['END'], temperature: 0.2, top_p: 0.9 })
    expect(body).toMatchObject({
      stop: ['END'],
      temperature: 0.2,
      top_p: 0.9,
      stream: true,
      stream_options: { include_usage: true },
    })
  })

  it('forwards max_tokens, clamped to the model limit, in the field the provider wants', () => {
    expect(build({ messages: [], max_tokens: 32000 }, { maxOutputTokens: () => 8192 }).max_tokens).toBe(8192)
    expect(build({ messages: [], max_tokens: 32000 }, {}, 4096).max_tokens).toBe(4096)
    const openai = build({ messages: [], max_tokens: 500 }, { maxTokensField: 'max_completion_tokens' })
    expect(openai.max_completion_tokens).toBe(500)
    expect(openai.max_tokens).toBeUndefined()
  })
})
