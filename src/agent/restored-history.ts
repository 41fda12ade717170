/**
 * A session's conversation rebuilt from its own event log, for a new Claude Code session when Claude Code's
 * transcript of the old one was lost: the most recent turns verbatim within RECENT_TURNS_BYTES, the earlier
 * ones one line each within EARLIER_TURNS_BYTES (the oldest left out beyond that), framed as the past and
 * followed by the person's new message. It goes in as the new session's first prompt, so it becomes part of
 * the new transcript and later turns resume it as usual. Pure and deterministic.
 */
import { FileChangeData, type NewEvent, type NoticeData, type SessionEvent } from '../protocol/events.js'

/**
 * How much of the most recent turns is carried over word for word (UTF-8 bytes). With the summaries and the
 * framing it stays inside the room a prompt has for a restored history (RESTORED_HISTORY_CHARS).
 */
export const RECENT_TURNS_BYTES = 24_000
/** How much the one-line summaries of the turns before those may take (UTF-8 bytes). */
export const EARLIER_TURNS_BYTES = 8_000
/** How much of what the person asked a summary line quotes. */
const ASKED_CHARS = 100
/** Longest summary line (a turn that changed many files). */
const SUMMARY_LINE_CHARS = 300

export interface RestoredPrompt {
  /** The prompt for the new Claude Code session: the restored history, then the message. */
  prompt: string
  /** Earlier turns carried over, in full or in one line (0: there was nothing to restore). */
  turns: number
}

interface Turn {
  /** 1 for the session's first turn. */
  number: number
  asked: string
  /** What followed the person's message, up to the next one. */
  events: SessionEvent[]
}

const encoder = new TextEncoder()
const byteLength = (text: string) => encoder.encode(text).length

function turnsOf(history: readonly SessionEvent[]): Turn[] {
  const turns: Turn[] = []
  for (const event of history) {
    if (event.type === 'user_message')
      turns.push({ number: turns.length + 1, asked: event.content ?? '', events: [] })
    else turns.at(-1)?.events.push(event)
  }
  return turns
}

const TURN_LINE_LABELS: Partial<Record<SessionEvent['type'], string>> = {
  result: 'Assistant',
  tool_use: 'Tool',
  file_change: 'File',
  error: 'Error',
}

function renderTurn(turn: Turn): string {
  const lines = [`[Turn ${turn.number}]`, `User: ${turn.asked}`]
  for (const event of turn.events) {
    const label = TURN_LINE_LABELS[event.type]
    if (label !== undefined && event.content !== undefined) lines.push(`${label}: ${event.content}`)
  }
  return lines.join('\n')
}

function clipChars(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** The first `max` bytes of `text` (cut on a character boundary), marked as cut when it was longer. */
function clipBytes(text: string, max: number): string {
  const encoded = encoder.encode(text)
  if (encoded.length <= max) return text
  const marker = '\n… (the rest of this turn is left out)'
  const head = new TextDecoder().decode(encoded.slice(0, max - byteLength(marker)))
  return `${head.replace(/\uFFFD$/, '')}${marker}`
}

function summarizeTurn(turn: Turn): string {
  const asked = clipChars(turn.asked.trim().replace(/\s+/g, ' '), ASKED_CHARS)
  const changes = new Map<string, string>()
  for (const event of turn.events) {
    const change = event.type === 'file_change' ? FileChangeData.safeParse(event.data) : undefined
    if (change?.success === true) changes.set(change.data.path, change.data.action)
  }
  const parts = [`Turn ${turn.number}: asked "${asked}"`]
  if (changes.size > 0) parts.push([...changes].map(([path, action]) => `${action} ${path}`).join(', '))
  if (turn.events.some((event) => event.type === 'error')) parts.push('ended with an error')
  return clipChars(parts.join('; '), SUMMARY_LINE_CHARS)
}

/** Takes items from the newest back while they fit in `budget` bytes; returns them oldest first. */
function newestWithin<T>(items: readonly T[], budget: number, render: (item: T) => string): string[] {
  const taken: string[] = []
  let used = 0
  for (let i = items.length - 1; i >= 0; i--) {
    const text = render(items[i] as T)
    const size = byteLength(text) + 2
    if (used + size > budget) break
    taken.unshift(text)
    used += size
  }
  return taken
}

/**
 * The first prompt of a new Claude Code session that carries on the conversation in `history` (the
 * session's persisted events before the new message) and then asks `message`.
 */
export function restoredPrompt(history: readonly SessionEvent[], message: string): RestoredPrompt {
  const turns = turnsOf(history)
  if (turns.length === 0) return { prompt: message, turns: 0 }
  let recent = newestWithin(turns, RECENT_TURNS_BYTES, renderTurn)
  // The last turn alone is over the budget: its beginning, then.
  if (recent.length === 0) recent = [clipBytes(renderTurn(turns.at(-1) as Turn), RECENT_TURNS_BYTES)]
  const older = turns.slice(0, turns.length - recent.length)
  const earlier = newestWithin(older, EARLIER_TURNS_BYTES, summarizeTurn)
  const leftOut = older.length - earlier.length

  const parts = [
    '<restored-history>',
    "The record of this conversation was lost, so here it is as far as it went, rebuilt from the session's " +
      'history: the earlier turns one line each, the most recent ones in full. All of it already happened: ' +
      "take it as context, and do not do its work again. The person's new message follows it.",
  ]
  if (older.length > 0) {
    parts.push('', 'Earlier turns, one line each:')
    if (leftOut > 0) parts.push(`(${leftOut} earlier turn${leftOut === 1 ? ' is' : 's are'} left out)`)
    parts.push(...earlier)
  }
  parts.push('', 'Most recent turns, in full:', recent.join('\n\n'), '</restored-history>', '', message)
  return { prompt: parts.join('\n'), turns: recent.length + earlier.length }
}

/** The `notice` that tells the conversation the agent's memory was restored from `turns` turns. */
export function memoryRestoredNotice(turns: number): NewEvent {
  const data: NoticeData = { kind: 'memory_restored', turns }
  return {
    type: 'notice',
    content: `The agent's memory was restored from the session history (${turns} turn${turns === 1 ? '' : 's'}).`,
    data,
  }
}
