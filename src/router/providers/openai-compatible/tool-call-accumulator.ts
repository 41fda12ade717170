/**
 * Tells streamed OpenAI tool calls apart and assembles their arguments (conformance cases 1-4, 6): calls are
 * told apart by `index` and `id` (Ollama sends every call at index 0, some providers drop `index` or `id` on
 * later chunks), arguments may come as deltas, as cumulative snapshots or all at the end, and `""` means `{}`.
 * The stream translator reads `calls` as they grow to stream each call's arguments while it is the newest one;
 * `finish` gives the whole calls for non-streaming answers.
 */
import type { ToolCallDelta } from '../../wire/openai-schema.js'
import { toAnthropicToolId } from '../../wire/tool-call-id.js'

export interface PendingCall {
  id: string | undefined
  name: string
  args: string
  /**
   * The end of `args` added since the stream translator last took it (and cleared this). Kept apart so that
   * nothing slices the whole accumulated text per chunk: `args` grows by concatenation, and reading a part
   * of it copies all of it, which made long streamed arguments quadratic.
   */
  unsent: string
}

export interface FinishedToolCall {
  /** A valid, unique Anthropic `tool_use` id. */
  id: string
  name: string
  /** The arguments as a JSON object text. */
  inputJson: string
  /** The provider's arguments were not a JSON object and were replaced by `{}`. */
  invalidArguments: boolean
}

export function isCompleteJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** `{...}` arguments text as a JSON object text, or undefined when it is not one ("" is `{}`). */
export function objectArguments(args: string): string | undefined {
  const text = args.trim()
  if (text === '') return '{}'
  try {
    const parsed: unknown = JSON.parse(text)
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? text : undefined
  } catch {
    return undefined
  }
}

/** A unique, valid Anthropic `tool_use` id for the `n`th call. */
export function toolUseId(call: PendingCall, n: number, idPrefix: string, used: Set<string>): string {
  let id = call.id ? toAnthropicToolId(call.id) : `toolu_${idPrefix}_${n}`
  if (used.has(id)) id = `${id}_${n}`
  used.add(id)
  return id
}

export class ToolCallAccumulator {
  /** Every call in order of first appearance. */
  readonly calls: PendingCall[] = []
  private readonly byKey = new Map<string, PendingCall>()
  private readonly byId = new Map<string, PendingCall>()
  private last: PendingCall | undefined

  get size(): number {
    return this.calls.length
  }

  private create(key: string | undefined, id: string | undefined): PendingCall {
    const call: PendingCall = { id, name: '', args: '', unsent: '' }
    this.calls.push(call)
    if (key !== undefined) this.byKey.set(key, call)
    if (id !== undefined) this.byId.set(id, call)
    return call
  }

  /** The call last seen at `index` of `choice`, if any. */
  at(index: number, choice = 0): PendingCall | undefined {
    return this.byKey.get(`${choice}:${index}`)
  }

  /** Adds one `tool_calls[]` entry of a chunk; `choice` keeps calls of different choices apart. */
  add(delta: ToolCallDelta, choice = 0): PendingCall {
    const key = delta.index === null || delta.index === undefined ? undefined : `${choice}:${delta.index}`
    const id = delta.id ?? undefined
    const name = delta.function?.name ?? undefined
    const piece = delta.function?.arguments ?? ''
    let call: PendingCall | undefined
    if (id !== undefined && id !== '') {
      call = this.byId.get(id)
      if (!call) {
        const atKey = key === undefined ? undefined : this.byKey.get(key)
        if (atKey && atKey.id === undefined) {
          atKey.id = id
          this.byId.set(id, atKey)
          call = atKey
        } else call = this.create(key, id)
      }
    } else {
      call = key === undefined ? this.last : (this.byKey.get(key) ?? undefined)
      // Same index, no id, and the previous call there is finished: a new call (Ollama-style).
      if (call && name && call.name !== '' && (call.name !== name || isCompleteJson(call.args)))
        call = undefined
      call ??= this.create(key, undefined)
    }
    if (key !== undefined) this.byKey.set(key, call)
    if (name && call.name === '') call.name = name
    if (piece !== '') {
      // A piece that repeats everything so far is a cumulative snapshot, not a delta. (The lengths first:
      // a delta is shorter than what came before it, and is then never compared with all of it.)
      const had = call.args
      if (had !== '' && piece.length >= had.length && piece.startsWith(had)) {
        call.args = piece
        call.unsent += piece.slice(had.length)
      } else {
        call.args = had + piece
        call.unsent += piece
      }
    }
    this.last = call
    return call
  }

  /** The calls in order of first appearance; those without a name are dropped. */
  finish(idPrefix: string): FinishedToolCall[] {
    const used = new Set<string>()
    const out: FinishedToolCall[] = []
    this.calls.forEach((call, n) => {
      if (call.name === '') return
      const id = toolUseId(call, n, idPrefix, used)
      const inputJson = objectArguments(call.args)
      out.push({
        id,
        name: call.name,
        inputJson: inputJson ?? '{}',
        invalidArguments: inputJson === undefined,
      })
    })
    return out
  }
}
