/**
 * The live feed of the open session: its events (replayed, then live), the assistant text streaming right now,
 * the last status and the connection state. Feeds are kept per session in memory, so switching back to a
 * session shows it at once and only asks the server for what came after.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { type SessionStatus, statusFrom } from './conversation'
import { type ConnectionState, SessionSocket, type WireEvent } from './session-socket'

export interface Feed {
  /** Persisted events in seq order, with unpersisted frame errors where they arrived. */
  events: WireEvent[]
  lastSeq: number
  /** Bumped on every change to `events` (the array is appended in place). */
  version: number
  streaming: string
  status: SessionStatus | undefined
}

const feeds = new Map<string, Feed>()
const emptyFeed = (): Feed => ({ events: [], lastSeq: 0, version: 0, streaming: '', status: undefined })

export function forgetFeed(sessionId: string): void {
  feeds.delete(sessionId)
}

export interface SessionFeed {
  feed: Feed
  connection: ConnectionState
  send(frame: Record<string, unknown>): boolean
  retryNow(): void
}

export function useSessionFeed(sessionId: string, onEvent?: (event: WireEvent) => void): SessionFeed {
  const [feed, setFeed] = useState<Feed>(() => feeds.get(sessionId) ?? emptyFeed())
  const [connection, setConnection] = useState<ConnectionState>({ kind: 'connecting', attempt: 0 })
  const socket = useRef<SessionSocket | undefined>(undefined)
  const listener = useRef(onEvent)
  listener.current = onEvent

  useEffect(() => {
    let current: Feed = { ...(feeds.get(sessionId) ?? emptyFeed()), streaming: '' }
    const commit = (next: Feed) => {
      current = next
      feeds.set(sessionId, next)
      setFeed(next)
    }
    commit(current)
    const append = (event: WireEvent, patch: Partial<Feed> = {}) => {
      current.events.push(event)
      commit({
        ...current,
        ...patch,
        lastSeq: event.seq ?? current.lastSeq,
        version: current.version + 1,
      })
    }
    const s = new SessionSocket({
      sessionId,
      after: current.lastSeq,
      onState: setConnection,
      // Partial text is not persisted: after a reconnect the replay brings the finished message instead.
      onReconnect: () => commit({ ...current, streaming: '' }),
      onEvent: (event) => {
        switch (event.type) {
          case 'text_delta':
            commit({ ...current, streaming: current.streaming + (event.content ?? '') })
            break
          case 'status': {
            const status = statusFrom(event.data) ?? current.status
            const streaming = status?.isRunning ? current.streaming : ''
            if (event.seq === undefined) commit({ ...current, status, streaming })
            else append(event, { status, streaming })
            break
          }
          case 'result':
            append(event, { streaming: '' })
            break
          case 'user_message':
            append(event, { status: { ...(current.status ?? {}), isRunning: true } })
            break
          default:
            append(event)
        }
        listener.current?.(event)
      },
    })
    socket.current = s
    return () => {
      s.close()
      socket.current = undefined
    }
  }, [sessionId])

  const send = useCallback((frame: Record<string, unknown>) => socket.current?.send(frame) ?? false, [])
  const retryNow = useCallback(() => socket.current?.retryNow(), [])
  return { feed, connection, send, retryNow }
}
