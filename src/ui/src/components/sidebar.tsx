/** The sessions list: new, switch, rename, delete, search; each with its title and last activity. */
import { useRef, useState } from 'preact/hooks'
import type { SessionSummary } from '../api'
import { relativeTime } from '../format'
import { Icon } from './icons'
import { SearchBox, SearchResults, useSessionSearch } from './session-search'

export interface SidebarSession extends SessionSummary {
  /** Not on the server yet: a new session whose first message has not been sent. */
  draft?: boolean
}

/**
 * The list the sidebar shows: new sessions not on the server yet (drafts, and the open one before its first
 * message) first, then the server's, the open one marked running as its feed says.
 */
export function sidebarList(
  sessions: readonly SessionSummary[],
  drafts: readonly string[],
  open: { id: string; firstMessage: string | undefined; running: boolean },
): SidebarSession[] {
  const known = new Set(sessions.map((s) => s.id))
  const extra = [...drafts, open.id].filter((id, i, all) => !known.has(id) && all.indexOf(id) === i)
  const now = Date.now()
  return [
    ...extra.map((id) => ({
      id,
      title: id === open.id && open.firstMessage !== undefined ? open.firstMessage.slice(0, 60) : '',
      createdAt: now,
      lastActivity: now,
      isRunning: id === open.id && open.running,
      lastSeq: 0,
      preferredModel: undefined,
      draft: id !== open.id || open.firstMessage === undefined,
    })),
    ...sessions.map((s) => (s.id === open.id ? { ...s, isRunning: open.running } : s)),
  ]
}

function SessionRow(props: {
  session: SidebarSession
  current: boolean
  /** Permission prompts waiting in this session. */
  waiting: number
  onSelect(): void
  onRename(title: string): void
  onDelete(): void
}) {
  const { session, current } = props
  const [editing, setEditing] = useState(false)
  // Escape closes the box, which blurs it; the blur must not then save what Escape meant to drop.
  const cancelled = useRef(false)
  const startEditing = () => {
    cancelled.current = false
    setEditing(true)
  }
  const title = session.title || (session.draft ? 'New session' : session.id)
  if (editing) {
    return (
      <li class="session editing">
        <form
          onSubmit={(e) => {
            e.preventDefault()
            const value = new FormData(e.currentTarget).get('title')
            if (typeof value === 'string' && value.trim() !== '') props.onRename(value.trim())
            setEditing(false)
          }}
        >
          <label class="visually-hidden" for={`rename-${session.id}`}>
            New title
          </label>
          <input
            id={`rename-${session.id}`}
            name="title"
            defaultValue={session.title}
            maxLength={200}
            ref={(el) => el?.focus()}
            onKeyDown={(e) => {
              if (e.key !== 'Escape') return
              // Only the rename is cancelled, not the panel the list may be in.
              e.stopPropagation()
              cancelled.current = true
              setEditing(false)
            }}
            onBlur={(e) => {
              if (!cancelled.current) e.currentTarget.form?.requestSubmit()
            }}
          />
        </form>
      </li>
    )
  }
  return (
    <li class={`session ${current ? 'current' : ''}`}>
      <button
        type="button"
        class="session-open"
        aria-current={current ? 'page' : undefined}
        onClick={props.onSelect}
        data-session-id={session.id}
      >
        <span class="session-title">
          {session.isRunning && <span class="dot running" title="Working" />}
          {title}
        </span>
        <span class="session-meta">
          {props.waiting > 0 && (
            <span class="waiting-badge" data-testid="waiting-badge">
              {props.waiting} waiting for approval
            </span>
          )}
          {session.draft ? (
            'not started'
          ) : (
            <time dateTime={new Date(session.lastActivity).toISOString()}>
              {relativeTime(session.lastActivity)}
            </time>
          )}
        </span>
      </button>
      {!session.draft && (
        <span class="session-actions">
          <button type="button" class="icon-btn" aria-label={`Rename ${title}`} onClick={startEditing}>
            <Icon name="edit" size={14} />
          </button>
          <button
            type="button"
            class="icon-btn"
            aria-label={`Delete ${title}`}
            onClick={() => {
              if (confirm(`Delete "${title}" with its workspace? This cannot be undone.`)) props.onDelete()
            }}
          >
            <Icon name="trash" size={14} />
          </button>
        </span>
      )}
    </li>
  )
}

export function Sidebar(props: {
  /** Undefined until the list has loaded (or when it could not be). */
  sessions: SidebarSession[] | undefined
  loading: boolean
  currentId: string
  /** Waiting permission prompts per session id. */
  waiting: ReadonlyMap<string, number>
  error: string | undefined
  onNew(): void
  onSelect(id: string): void
  onRename(id: string, title: string): void
  onDelete(id: string): void
}) {
  const [query, setQuery] = useState('')
  const search = useSessionSearch(query)
  return (
    <nav class="sidebar" aria-label="Sessions">
      <div class="sidebar-head">
        <h2>Sessions</h2>
        <button type="button" class="btn primary small" onClick={props.onNew}>
          + New
        </button>
      </div>
      <SearchBox value={query} onChange={setQuery} />
      {query.trim() !== '' ? (
        <SearchResults
          hits={search.hits}
          error={search.error}
          currentId={props.currentId}
          onSelect={props.onSelect}
        />
      ) : (
        <SessionList {...props} />
      )}
    </nav>
  )
}

function SessionList(props: Parameters<typeof Sidebar>[0]) {
  return (
    <>
      {props.error && <p class="sidebar-error">{props.error}</p>}
      {props.loading && <p class="muted sidebar-loading">Loading…</p>}
      <ul class="session-list">
        {props.sessions?.map((s) => (
          <SessionRow
            key={s.id}
            session={s}
            current={s.id === props.currentId}
            waiting={props.waiting.get(s.id) ?? 0}
            onSelect={() => props.onSelect(s.id)}
            onRename={(title) => props.onRename(s.id, title)}
            onDelete={() => props.onDelete(s.id)}
          />
        ))}
      </ul>
    </>
  )
}
