/**
 * A permission prompt in the conversation. Waiting: what the agent wants to do in a form a person reads (the
 * command; the diff a Write or Edit would make; other tools' arguments as a short list, raw JSON behind a
 * disclosure) and the answers: allow once, always allow (the rule named on the button), deny with an optional
 * reason. It takes focus when it appears unless the person is typing elsewhere; with focus on the card, Enter
 * allows once and Escape moves to the reason box. Settled: one line saying how it was answered.
 */
import { createContext } from 'preact'
import { useContext, useEffect, useRef, useState } from 'preact/hooks'
import { bashCommand, describeRule, offeredRule } from '../../../protocol/permission-rules'
import type { PermissionItem } from '../conversation'
import { compactJson, inputText, prettyJson } from '../format'
import { TextDiff } from './diff-view'

export interface PermissionAnswer {
  allow: boolean
  remember?: 'tool' | 'prefix'
  message?: string
}

/** Reads a workspace file of the open session (for a Write's diff); undefined when there is none. */
export const WorkspaceFileReader = createContext<(path: string) => Promise<string | undefined>>(
  async () => undefined,
)

const EDIT_TOOLS = new Set(['Write', 'Edit', 'MultiEdit'])

const str = inputText

/** The diff of a Write (against the file as it is now), an Edit or a MultiEdit. */
function EditView({ item }: { item: PermissionItem }) {
  const readFile = useContext(WorkspaceFileReader)
  const [current, setCurrent] = useState<string | undefined | null>(null)
  const { tool, input, path } = item
  useEffect(() => {
    if (tool !== 'Write' || path === undefined) return setCurrent(undefined)
    let live = true
    readFile(path).then(
      (text) => live && setCurrent(text),
      () => live && setCurrent(undefined),
    )
    return () => {
      live = false
    }
  }, [tool, path, readFile])
  if (tool === 'Write') {
    if (current === null) return <p class="muted">Loading the file…</p>
    return (
      <TextDiff
        before={current ?? ''}
        after={str(input, 'content') ?? ''}
        path={path ?? str(input, 'file_path')}
        note={current === undefined ? 'New file' : 'Replaces the whole file'}
        testId="permission-diff"
      />
    )
  }
  const edits =
    tool === 'MultiEdit' &&
    typeof input === 'object' &&
    input !== null &&
    Array.isArray((input as { edits?: unknown }).edits)
      ? ((input as { edits: unknown[] }).edits as unknown[])
      : [input]
  return (
    <>
      {edits.map((edit, i) => (
        <TextDiff
          key={i}
          before={str(edit, 'old_string') ?? ''}
          after={str(edit, 'new_string') ?? ''}
          numbered={false}
          path={path ?? str(input, 'file_path')}
          testId="permission-diff"
        />
      ))}
    </>
  )
}

function InputView({ item }: { item: PermissionItem }) {
  const command = item.tool === 'Bash' ? bashCommand(item.input) : undefined
  if (command !== undefined)
    return (
      <pre class="perm-command" data-testid="permission-command">
        <code>{command}</code>
      </pre>
    )
  if (EDIT_TOOLS.has(item.tool)) return <EditView item={item} />
  const entries = typeof item.input === 'object' && item.input !== null ? Object.entries(item.input) : []
  return (
    <>
      <dl class="perm-fields">
        {entries.map(([key, value]) => (
          <div key={key}>
            <dt>{key}</dt>
            <dd>{typeof value === 'string' ? value : compactJson(value, 200)}</dd>
          </div>
        ))}
      </dl>
      <details class="perm-raw">
        <summary>Raw input</summary>
        <pre>{prettyJson(item.input)}</pre>
      </details>
    </>
  )
}

function heading(item: PermissionItem): string {
  const target = item.path ?? str(item.input, 'file_path')
  if (item.tool === 'Bash') return 'The agent asks to run a command'
  if (EDIT_TOOLS.has(item.tool) && target !== undefined)
    return `The agent asks to ${item.tool === 'Write' ? 'write' : 'edit'} ${target}`
  return `The agent asks to use ${item.tool}`
}

/** The input in one short line: the command, the file, or compact JSON. */
function shortInput(item: PermissionItem): string {
  return bashCommand(item.input) ?? item.path ?? str(item.input, 'file_path') ?? compactJson(item.input, 90)
}

function SettledLine({ item }: { item: PermissionItem }) {
  const rule = item.rule === undefined ? '' : describeRule(item.rule)
  const label =
    item.answer === 'expired'
      ? 'Not answered in time'
      : item.answer === 'denied'
        ? 'Denied'
        : item.byRule
          ? 'Allowed by rule'
          : 'Allowed'
  const detail =
    item.answer === 'denied' && item.message
      ? `“${item.message}” ·`
      : item.rule !== undefined
        ? item.byRule
          ? `(always allow ${rule}) ·`
          : `· always allowing ${rule} ·`
        : undefined
  return (
    <p class={`permission-done answer-${item.answer}`} data-testid="permission" data-answer={item.answer}>
      <strong>{label}</strong>
      {detail !== undefined && <span class="perm-detail">{detail} </span>}
      {item.tool} <code>{shortInput(item)}</code>
    </p>
  )
}

function canNotify(): boolean {
  return typeof Notification !== 'undefined' && Notification.permission === 'default'
}

export function PermissionCard({
  item,
  onAnswer,
}: {
  item: PermissionItem
  onAnswer(requestId: string, answer: PermissionAnswer): void
}) {
  const card = useRef<HTMLElement>(null)
  const reasonBox = useRef<HTMLInputElement>(null)
  const [reason, setReason] = useState('')
  const [notifyOffer, setNotifyOffer] = useState(canNotify)
  const waiting = item.answer === undefined

  useEffect(() => {
    if (!waiting) return
    const el = card.current
    if (el === null) return
    el.scrollIntoView({ block: 'nearest' })
    // Never take the keyboard from someone in the middle of typing (Enter on the card allows); an empty box,
    // like the composer just after sending, gives it up.
    const active = document.activeElement
    const typing =
      (active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement) && active.value !== ''
    if (!typing) el.focus({ preventScroll: true })
  }, [waiting])

  if (!waiting) return <SettledLine item={item} />

  const rule = offeredRule(item.tool, item.input)
  const answer = (a: PermissionAnswer) => onAnswer(item.requestId, a)
  const deny = () => answer({ allow: false, ...(reason.trim() !== '' && { message: reason.trim() }) })
  const titleId = `perm-title-${item.requestId}`
  return (
    <section
      ref={card}
      class="permission permission-pending"
      tabIndex={-1}
      aria-labelledby={titleId}
      data-testid="permission"
      data-answer="waiting"
      onKeyDown={(e) => {
        if (e.target !== card.current) return
        if (e.key === 'Enter') {
          e.preventDefault()
          answer({ allow: true })
        } else if (e.key === 'Escape') {
          e.preventDefault()
          reasonBox.current?.focus()
        }
      }}
    >
      <p id={titleId} class="perm-title">
        <strong>{heading(item)}</strong>
      </p>
      {item.reason !== undefined && <p class="perm-reason">{item.reason}</p>}
      <InputView item={item} />
      <div class="permission-actions">
        <button type="button" class="btn primary" onClick={() => answer({ allow: true })}>
          Allow once
        </button>
        {rule !== undefined && (
          <button
            type="button"
            class="btn"
            onClick={() => answer({ allow: true, remember: rule.kind })}
            title="Stored as a rule of this session: later requests it covers run without asking"
          >
            Always allow{' '}
            {rule.kind === 'prefix' ? <code>{rule.prefix}</code> : `${rule.tool} in this session`}
          </button>
        )}
      </div>
      <form
        class="perm-deny"
        onSubmit={(e) => {
          e.preventDefault()
          deny()
        }}
      >
        <label class="visually-hidden" for={`perm-reason-${item.requestId}`}>
          Reason for denying (optional, sent to the agent)
        </label>
        <input
          id={`perm-reason-${item.requestId}`}
          class="text-field"
          ref={reasonBox}
          value={reason}
          maxLength={2000}
          placeholder="Reason for denying (optional, sent to the agent)"
          onInput={(e) => setReason(e.currentTarget.value)}
        />
        <button type="submit" class="btn danger">
          Deny
        </button>
      </form>
      <p class="perm-keys muted">
        Enter allows once · Esc goes to the reason
        {notifyOffer && (
          <>
            {' · '}
            <button
              type="button"
              class="link-btn"
              onClick={() => void Notification.requestPermission().finally(() => setNotifyOffer(canNotify()))}
            >
              Notify me when a prompt waits in a hidden tab
            </button>
          </>
        )}
      </p>
    </section>
  )
}
