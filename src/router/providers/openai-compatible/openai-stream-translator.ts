/**
 * An OpenAI chat-completions SSE stream -> the Anthropic Messages SSE stream (conformance cases 1-14).
 *
 * Text, thinking and tool-call arguments stream as they arrive (`input_json_delta`). Anthropic allows one open
 * block at a time and no take-backs, so only the oldest unfinished tool call streams: deltas of a call that
 * interleaves with it are held until its arguments form a complete JSON value, text that arrives while a call
 * is incomplete is held until the call closes, and arguments that do not start like a JSON object are buffered
 * and replaced by `{}` at the end. Cumulative snapshots stream only their new suffix. Block indexes start at 0.
 */
import type { AnthropicStreamEvent, AnthropicUsage } from '../../wire/anthropic-sse.js'
import type { ChatCompletionChunk, OpenAIUsage } from '../../wire/openai-schema.js'
import { type AnthropicStopReason, mapStopReason } from './map-stop-reason.js'
import { mapUsage } from './map-usage.js'
import {
  isCompleteJson,
  objectArguments,
  type PendingCall,
  ToolCallAccumulator,
  toolUseId,
} from './tool-call-accumulator.js'

export interface StreamSummary {
  messageId: string
  stopReason: AnthropicStopReason
  usage: AnthropicUsage
  toolCalls: number
  /** Tool calls whose arguments were not a JSON object (sent as `{}`, or cut off). */
  invalidToolArguments: string[]
  /** Set when the stream ended with an `error` event. */
  error?: string
}

export interface StreamTranslationOptions {
  /** The model name the client asked for; echoed in `message_start` (Claude Code sizes its context by it). */
  requestedModel: string
  /** Called once when the stream ends, for usage accounting and logs. */
  onEnd?: (summary: StreamSummary) => void
  /** Called once, with the first event that carries content (time to first token). */
  onFirstContent?: () => void
}

type TextKind = 'text' | 'thinking'
type OpenBlock = { kind: TextKind; index: number } | { kind: 'tool'; index: number; call: PendingCall }

interface ToolProgress {
  /** Characters of `call.args` already sent. */
  sent: number
  /** Arguments that do not start like an object: held and sent whole (or as `{}`) at the close. */
  buffered: boolean
  closed: boolean
}

/** The stateful part: OpenAI chunks in, Anthropic events out. */
export class OpenAIStreamTranslator {
  private started = false
  private messageId = ''
  private nextIndex = 0
  private open: OpenBlock | undefined
  private readonly tools = new ToolCallAccumulator()
  private readonly progress = new Map<PendingCall, ToolProgress>()
  /** The position in `tools.calls` of the oldest call not closed yet. */
  private head = 0
  private readonly usedIds = new Set<string>()
  private readonly held: { kind: TextKind; text: string }[] = []
  private readonly invalid: string[] = []
  private emittedTools = 0
  private readonly finishReasons: string[] = []
  private usage: OpenAIUsage | undefined
  private summary: StreamSummary | undefined
  private sawContent = false

  constructor(private readonly options: StreamTranslationOptions) {}

  get finished(): boolean {
    return this.finishReasons.length > 0
  }

  private start(chunk: ChatCompletionChunk | undefined, out: AnthropicStreamEvent[]): void {
    if (this.started) return
    this.started = true
    const upstreamId = chunk?.id ? chunk.id.replace(/[^a-zA-Z0-9_-]/g, '_') : ''
    this.messageId = `msg_${upstreamId || crypto.randomUUID().replace(/-/g, '')}`
    out.push({
      type: 'message_start',
      message: {
        id: this.messageId,
        type: 'message',
        role: 'assistant',
        model: this.options.requestedModel,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: mapUsage(chunk?.usage),
      },
    })
  }

  private firstContent(): void {
    if (this.sawContent) return
    this.sawContent = true
    this.options.onFirstContent?.()
  }

  private closeOpen(out: AnthropicStreamEvent[]): void {
    const open = this.open
    if (!open) return
    if (open.kind === 'tool') this.finishTool(open.call, open.index, out)
    out.push({ type: 'content_block_stop', index: open.index })
    this.open = undefined
    if (open.kind === 'tool') {
      this.head++
      // Text held back while the call was incomplete goes out between the calls.
      for (const piece of this.held.splice(0)) this.textDelta(piece.kind, piece.text, out)
    }
  }

  private textDelta(kind: TextKind, text: string, out: AnthropicStreamEvent[]): void {
    // Claude Code replays empty text blocks and every later request fails, so never open one for nothing.
    if (text === '') return
    this.firstContent()
    if (this.open?.kind === 'tool') {
      if (!isCompleteJson(this.open.call.args)) {
        const last = this.held.at(-1)
        if (last?.kind === kind) last.text += text
        else this.held.push({ kind, text })
        return
      }
      this.closeOpen(out)
    }
    if (this.open?.kind !== kind) {
      this.closeOpen(out)
      const index = this.nextIndex++
      this.open = { kind, index }
      out.push({
        type: 'content_block_start',
        index,
        content_block:
          kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' },
      })
    }
    out.push({
      type: 'content_block_delta',
      index: this.open.index,
      delta: kind === 'text' ? { type: 'text_delta', text } : { type: 'thinking_delta', thinking: text },
    })
  }

  private progressOf(call: PendingCall): ToolProgress {
    let p = this.progress.get(call)
    if (!p) {
      p = { sent: 0, buffered: false, closed: false }
      this.progress.set(call, p)
    }
    return p
  }

  private openTool(call: PendingCall, out: AnthropicStreamEvent[]): void {
    this.closeOpen(out)
    const index = this.nextIndex++
    const id = toolUseId(call, this.head, this.messageId.slice(4), this.usedIds)
    this.open = { kind: 'tool', index, call }
    this.emittedTools++
    out.push({
      type: 'content_block_start',
      index,
      content_block: { type: 'tool_use', id, name: call.name, input: {} },
    })
  }

  /** Sends what is new in the open call's arguments. */
  private streamArgs(call: PendingCall, index: number, out: AnthropicStreamEvent[]): void {
    const p = this.progressOf(call)
    if (p.buffered || call.unsent === '') return
    if (p.sent === 0) {
      const first = call.args.trimStart()
      if (first === '') return
      if (first[0] !== '{') {
        p.buffered = true
        return
      }
    }
    out.push({
      type: 'content_block_delta',
      index,
      delta: { type: 'input_json_delta', partial_json: call.unsent },
    })
    call.unsent = ''
    p.sent = call.args.length
  }

  /** The last arguments of a call before its block closes: `{}` for none, the whole text when buffered. */
  private finishTool(call: PendingCall, index: number, out: AnthropicStreamEvent[]): void {
    this.streamArgs(call, index, out)
    const p = this.progressOf(call)
    p.closed = true
    const asObject = objectArguments(call.args)
    if (asObject === undefined) this.invalid.push(call.name)
    if (p.sent > 0) return
    out.push({
      type: 'content_block_delta',
      index,
      delta: { type: 'input_json_delta', partial_json: asObject ?? '{}' },
    })
  }

  /**
   * Streams the oldest unfinished call; moves on to the next one once its arguments are complete JSON and a
   * later call exists. A call opens once it has a name and an id (or arguments to send).
   */
  private pumpTools(out: AnthropicStreamEvent[], ending: boolean): void {
    const calls = this.tools.calls
    while (this.head < calls.length) {
      const call = calls[this.head] as PendingCall
      const open = this.open
      if (open?.kind === 'tool' && open.call === call) {
        this.streamArgs(call, open.index, out)
        const later = this.head + 1 < calls.length
        if (!ending && !(later && isCompleteJson(call.args))) return
        this.closeOpen(out)
        continue
      }
      if (call.name === '') {
        if (!ending) return
        this.head++
        continue
      }
      if (!ending && call.id === undefined && call.args === '' && this.head + 1 >= calls.length) return
      if (open && open.kind !== 'tool') this.closeOpen(out)
      this.openTool(call, out)
    }
  }

  /** Translates one parsed chunk. Throws when the chunk is an upstream error object. */
  push(chunk: ChatCompletionChunk): AnthropicStreamEvent[] {
    const out: AnthropicStreamEvent[] = []
    if (chunk.error) {
      throw new Error(
        typeof chunk.error === 'string' ? chunk.error : (chunk.error.message ?? 'upstream error'),
      )
    }
    this.start(chunk, out)
    if (chunk.usage) this.usage = chunk.usage
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta
      if (delta) {
        const reasoning = delta.reasoning_content ?? delta.reasoning
        if (reasoning) this.textDelta('thinking', reasoning, out)
        if (delta.content) this.textDelta('text', delta.content, out)
        const calls = delta.tool_calls
        if (calls && calls.length > 0) {
          this.firstContent()
          for (const call of calls) this.tools.add(call, choice.index ?? 0)
          this.pumpTools(out, false)
        }
      }
      if (choice.finish_reason) this.finishReasons.push(choice.finish_reason)
    }
    return out
  }

  private pickFinishReason(): string | undefined {
    for (const preferred of ['length', 'content_filter', 'tool_calls']) {
      if (this.finishReasons.includes(preferred)) return preferred
    }
    return this.finishReasons[0]
  }

  /** Closes the message: the open block, calls not sent yet, held text, `message_delta`, `message_stop`. */
  end(): AnthropicStreamEvent[] {
    const out: AnthropicStreamEvent[] = []
    this.start(undefined, out)
    this.pumpTools(out, true)
    this.closeOpen(out)
    for (const piece of this.held.splice(0)) this.textDelta(piece.kind, piece.text, out)
    this.closeOpen(out)
    const stopReason = mapStopReason(this.pickFinishReason(), this.emittedTools > 0)
    const usage = mapUsage(this.usage)
    out.push({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage })
    out.push({ type: 'message_stop' })
    this.summary = {
      messageId: this.messageId,
      stopReason,
      usage,
      toolCalls: this.emittedTools,
      invalidToolArguments: this.invalid,
    }
    return out
  }

  /** An `error` event for a failure after the response started. */
  fail(message: string): AnthropicStreamEvent[] {
    this.summary = {
      messageId: this.messageId,
      stopReason: 'end_turn',
      usage: mapUsage(this.usage),
      toolCalls: this.emittedTools,
      invalidToolArguments: this.invalid,
      error: message,
    }
    return [{ type: 'error', error: { type: 'api_error', message } }]
  }

  get result(): StreamSummary | undefined {
    return this.summary
  }
}
