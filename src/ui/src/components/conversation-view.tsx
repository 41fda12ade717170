/**
 * The scrolling conversation: items, the message streaming now, a "working" line while a turn runs, and the
 * messages queued behind it, each of which can be cancelled or taken back into the box to edit.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { clock, currentStep } from '../activity'
import type { Item, SessionStatus } from '../conversation'
import { ItemView } from './items'
import { Markdown } from './markdown-view'
import type { PermissionAnswer } from './permission-card'

/** The working line: elapsed time, ticking, and the current step. */
function Activity({
  items,
  streaming,
  startedAt,
  status,
}: {
  items: Item[]
  streaming: boolean
  startedAt: number | undefined
  status: SessionStatus | undefined
}) {
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(t)
  }, [])
  const step = status?.waitingForSandbox ? 'Waiting for a free sandbox' : currentStep(items, streaming)
  return (
    <p class="working" data-testid="working">
      <span class="spinner" aria-hidden="true" />
      <span class="working-step" data-testid="current-step">
        {step}…
      </span>
      {startedAt !== undefined && (
        <span class="working-time" data-testid="elapsed" title="Time since the turn started">
          {clock(now - startedAt)}
        </span>
      )}
    </p>
  )
}

export function ConversationView(props: {
  items: Item[]
  /** When the running turn started. */
  startedAt: number | undefined
  streaming: string
  pending: string[]
  status: SessionStatus | undefined
  loaded: boolean
  /** Queued messages being cancelled or taken back, by seq: their buttons wait for the server. */
  withdrawing: ReadonlySet<number>
  onOpenFile(path: string): void
  onAnswer(requestId: string, answer: PermissionAnswer): void
  onCancelQueued(seq: number): void
  onEditQueued(seq: number, text: string): void
}) {
  const { streaming, pending, status } = props
  const items = props.items.filter((i) => i.kind !== 'queued')
  const queued = props.items.filter((i) => i.kind === 'queued')
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
  }, [props.items, streaming, pending, stuck, status?.isRunning])
  useEffect(() => setStuck(true), [])

  const running = status?.isRunning === true
  const empty = props.items.length === 0 && pending.length === 0 && streaming === ''
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
          <Activity items={items} streaming={streaming !== ''} startedAt={props.startedAt} status={status} />
        )}
        {queued.map((q) => (
          <div class="msg msg-user msg-queued" key={q.key} data-testid="queued-message">
            <div class="msg-text">{q.text}</div>
            <div class="queued-bar">
              <span class="queued-label">Queued</span>
              <span class="queued-hint">waits for its turn</span>
              <button
                type="button"
                class="link-btn"
                disabled={props.withdrawing.has(q.seq)}
                onClick={() => props.onEditQueued(q.seq, q.text)}
                title="Take this message back into the box to change it"
              >
                Edit
              </button>
              <button
                type="button"
                class="link-btn"
                disabled={props.withdrawing.has(q.seq)}
                onClick={() => props.onCancelQueued(q.seq)}
                title="Remove this message from the queue; it will not be sent to the agent"
              >
                Cancel
              </button>
            </div>
          </div>
        ))}
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
