/**
 * An OpenAI chat-completions request -> an Anthropic Messages request, for `POST /v1/chat/completions` on an
 * `anthropic/*` model: system and developer messages become `system`, tool calls `tool_use` blocks (ids made
 * valid), `role: tool` messages `tool_result` blocks, consecutive messages of one role are merged (Anthropic
 * requires alternation), images become image blocks and `max_tokens` is always set (Anthropic requires it).
 */
import type { ChatMessage, OpenAIChatBody } from '../../wire/openai-chat-request.js'
import { toAnthropicToolId } from '../../wire/tool-call-id.js'

const DEFAULT_MAX_TOKENS = 4096

type Block = Record<string, unknown>

interface AnthropicMessageParam {
  role: 'user' | 'assistant'
  content: Block[]
}

function imageBlock(url: string): Block {
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url)
  if (data) return { type: 'image', source: { type: 'base64', media_type: data[1], data: data[2] } }
  return { type: 'image', source: { type: 'url', url } }
}

function contentBlocks(content: ChatMessage['content']): Block[] {
  if (content === null || content === undefined) return []
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }]
  const out: Block[] = []
  for (const part of content) {
    if (part.type === 'text' && part.text) out.push({ type: 'text', text: part.text })
    else if (part.type === 'image_url' && part.image_url)
      out.push(imageBlock(typeof part.image_url === 'string' ? part.image_url : part.image_url.url))
  }
  return out
}

function textOf(content: ChatMessage['content']): string {
  return contentBlocks(content)
    .map((b) => (b.type === 'text' ? String(b.text) : ''))
    .join('\n')
}

function parseArguments(args: string | null | undefined): unknown {
  if (!args || args.trim() === '') return {}
  try {
    const parsed: unknown = JSON.parse(args)
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : {}
  } catch {
    return {}
  }
}

function toolChoice(body: OpenAIChatBody): Block | undefined {
  const choice = body.tool_choice
  const noParallel = body.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {}
  if (choice === undefined || choice === null)
    return body.parallel_tool_calls === false ? { type: 'auto', ...noParallel } : undefined
  if (choice === 'auto') return { type: 'auto', ...noParallel }
  if (choice === 'required') return { type: 'any', ...noParallel }
  if (choice === 'none') return { type: 'none' }
  return { type: 'tool', name: choice.function.name, ...noParallel }
}

export function chatRequestToAnthropic(body: OpenAIChatBody, upstreamModel: string): Record<string, unknown> {
  const system: string[] = []
  const messages: AnthropicMessageParam[] = []
  const push = (role: 'user' | 'assistant', blocks: Block[]) => {
    if (blocks.length === 0) return
    const last = messages.at(-1)
    if (last?.role === role) last.content.push(...blocks)
    else messages.push({ role, content: blocks })
  }
  for (const m of body.messages) {
    if (m.role === 'system' || m.role === 'developer') {
      const text = textOf(m.content)
      if (text !== '') system.push(text)
    } else if (m.role === 'user') push('user', contentBlocks(m.content))
    else if (m.role === 'assistant') {
      const blocks = contentBlocks(m.content)
      for (const call of m.tool_calls ?? []) {
        blocks.push({
          type: 'tool_use',
          id: toAnthropicToolId(call.id ?? `call_${messages.length}_${blocks.length}`),
          name: call.function.name,
          input: parseArguments(call.function.arguments),
        })
      }
      push('assistant', blocks)
    } else {
      const id = m.tool_call_id ?? m.name ?? 'unknown'
      push('user', [{ type: 'tool_result', tool_use_id: toAnthropicToolId(id), content: textOf(m.content) }])
    }
  }
  const out: Record<string, unknown> = {
    model: upstreamModel,
    max_tokens: body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_MAX_TOKENS,
    messages,
  }
  if (system.length > 0) out.system = system.join('\n\n')
  if (body.stream) out.stream = true
  if (body.stop !== undefined && body.stop !== null)
    out.stop_sequences = typeof body.stop === 'string' ? [body.stop] : body.stop
  if (typeof body.temperature === 'number') out.temperature = Math.min(1, body.temperature)
  if (typeof body.top_p === 'number') out.top_p = body.top_p
  if (body.tools && body.tools.length > 0) {
    out.tools = body.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description === undefined ? {} : { description: t.function.description }),
      input_schema: t.function.parameters ?? { type: 'object', properties: {} },
    }))
  }
  const choice = toolChoice(body)
  if (choice && out.tools) out.tool_choice = choice
  if (body.user) out.metadata = { user_id: body.user }
  return out
}
