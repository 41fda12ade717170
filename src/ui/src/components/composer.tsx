/**
 * The message box: Enter sends, Shift+Enter adds a line; the draft is kept per session in localStorage so
 * nothing typed is lost to a reload. While a turn runs, "Stop turn" interrupts it (new messages queue behind
 * it, and queued ones still run). Mount one per session (`key={sessionId}`): the box then never shows
 * another session's draft, not even for a frame.
 */
import { useEffect, useRef, useState } from 'preact/hooks'

const draftKey = (sessionId: string) => `draft_${sessionId}`

const stopTitle = (queued: number) =>
  queued === 0
    ? 'Stop the running turn; what it already did stays'
    : `Stop the running turn only: ${queued} queued message${queued === 1 ? '' : 's'} will still run (Cancel on a queued message removes it)`

export function Composer(props: {
  sessionId: string
  running: boolean
  /** Messages waiting behind the running turn. */
  queued: number
  connected: boolean
  /** Text to put back in the box (a queued message taken back to edit); `id` makes each one apply once. */
  restore: { id: number; text: string } | undefined
  onSend(text: string): boolean
  onInterrupt(): void
}) {
  const { sessionId, restore } = props
  const [text, setText] = useState(() => localStorage.getItem(draftKey(sessionId)) ?? '')
  const box = useRef<HTMLTextAreaElement>(null)

  // Ready to type in a session just opened, unless the person is already typing elsewhere (the search box).
  useEffect(() => {
    const active = document.activeElement
    if (!(active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement)) box.current?.focus()
  }, [])

  const update = (value: string) => {
    setText(value)
    if (value === '') localStorage.removeItem(draftKey(sessionId))
    else localStorage.setItem(draftKey(sessionId), value)
  }

  useEffect(() => {
    if (restore === undefined) return
    update(text.trim() === '' ? restore.text : `${restore.text}\n${text}`)
    box.current?.focus()
  }, [restore?.id])
  const submit = () => {
    const content = text.trim()
    if (content === '' || !props.connected) return
    if (props.onSend(content)) update('')
  }

  // Grow with the text up to a limit.
  useEffect(() => {
    const el = box.current
    if (!el) return
    el.style.height = 'auto'
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`
  }, [text])

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault()
        submit()
      }}
    >
      <label for="message" class="visually-hidden">
        Message
      </label>
      <textarea
        id="message"
        ref={box}
        rows={1}
        value={text}
        placeholder={
          props.running
            ? 'Queue a follow-up… (Enter sends)'
            : 'Ask the agent… (Enter sends, Shift+Enter adds a line)'
        }
        onInput={(e) => update(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault()
            submit()
          }
        }}
      />
      {props.running && (
        <button
          type="button"
          class="btn danger"
          onClick={props.onInterrupt}
          data-testid="interrupt"
          title={stopTitle(props.queued)}
        >
          Stop turn
        </button>
      )}
      <button
        type="submit"
        class="btn primary"
        disabled={!props.connected || text.trim() === ''}
        title={
          props.connected ? undefined : 'Not connected: your text stays here until the connection is back'
        }
      >
        {props.running ? 'Queue' : 'Send'}
      </button>
    </form>
  )
}
