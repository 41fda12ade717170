/**
 * The outbound event types and the shape every outbound WebSocket frame has, as a client reads it. No zod
 * here: the web UI imports this file, and the server's schemas in events.ts are built on it.
 */

/** What a session id may be (a path segment, a folder name and a key everywhere). */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

/** Persisted event types (they carry a `seq`). */
export const EVENT_TYPES = [
  'user_message',
  'message_cancelled',
  'result',
  'tool_use',
  'tool_result',
  'file_change',
  'permission_request',
  'permission_response',
  'error',
  'notice',
  'status',
] as const
export type EventType = (typeof EVENT_TYPES)[number]

/** What a frame's `type` can be: a persisted type, or `text_delta` (partial text, never persisted). */
export type WireEventType = EventType | 'text_delta'

const WIRE_EVENT_TYPES: ReadonlySet<string> = new Set<WireEventType>([...EVENT_TYPES, 'text_delta'])

export function isWireEventType(type: string): type is WireEventType {
  return WIRE_EVENT_TYPES.has(type)
}

/**
 * Any outbound frame: a persisted event (with `seq`), a `status` snapshot or an `error` answering a bad frame
 * (no `seq`), or a `text_delta`.
 */
export interface WireEvent {
  type: WireEventType
  content?: string
  data?: unknown
  seq?: number
  timestamp: number
  sessionId: string
}
