/** The scrolling conversation: items, the message streaming now, and a "working" line while a turn runs. */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { Item, SessionStatus } from '../conversation'
import { ItemView, Markdown } from './items'
import type { PermissionAnswer } from './permission-card'

export function ConversationView(props: {
  items: Item[]
  streaming: string
  pending: string[]
  status: SessionStatus | undefined
  loaded: boolean
  onOpenFile(path: string): void
  onAnswer(requestId: string, answer: PermissionAnswer): void
}) {
  const { items, streaming, pending, status } = props
  const scroller = useRef<HTMLDivElement>(null)
  const [stuck, setStuck] = useState(true)

  const onScroll = () => {
    const el = scroller.current
    if (el) setStuck(el.scrollHeight - el.scrollTop - el.clientHeight < 80)
  }
  // Follow new output while the reader is at the bottom; leave them alone when they scrolled up to read.
  useLayoutEffect(() => {
    const el = scroller.current
    if (el && stuck) el.scrollTop = el.scrollHeight
  }, [items, streaming, pending, stuck, status?.isRunning])
  useEffect(() => setStuck(true), [])

  const running = status?.isRunning === true
  const empty = items.length === 0 && pending.length === 0 && streaming === ''
  return (
    <div class="conversation-wrap">
      <div
        class="conversation"
        ref={scroller}
        onScroll={onScroll}
        role="log"
        aria-label="Conversation"
        aria-busy={running}
      >
        {empty && props.loaded && (
          <div class="empty">
            <h2>Start a conversation</h2>
            <p>
              Ask the agent to write, run or explain code. It works in this session's own workspace; files it
              changes appear on the right.
            </p>
          </div>
        )}
        {items.map((item) => (
          <ItemView key={item.key} item={item} onOpenFile={props.onOpenFile} onAnswer={props.onAnswer} />
        ))}
        {pending.map((text, i) => (
          <div class="msg msg-user msg-pending" key={`p${i}`}>
            <span class="visually-hidden">Sending: </span>
            <div class="msg-text">{text}</div>
          </div>
        ))}
        {streaming !== '' && (
          <div class="msg msg-assistant msg-streaming" data-testid="streaming-message">
            <Markdown text={streaming} streaming />
          </div>
        )}
        {running && (
          <p class="working" data-testid="working">
            <span class="spinner" aria-hidden="true" />
            {status?.waitingForSandbox
              ? 'Waiting for a free sandbox…'
              : status?.queued
                ? `Working… (${status.queued} more queued)`
                : 'Working…'}
          </p>
        )}
      </div>
      {!stuck && (
        <button
          type="button"
          class="jump"
          onClick={() => {
            const el = scroller.current
            if (el) el.scrollTop = el.scrollHeight
            setStuck(true)
          }}
        >
          ↓ Latest
        </button>
      )}
    </div>
  )
}
