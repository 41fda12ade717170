/**
 * Search over the sessions' titles and messages (the server's `?q=`), as the person types: results replace the
 * list, each with the words around its match. Esc in the box clears it.
 */

import { useEffect, useState } from 'preact/hooks'
import { type SessionHit, searchSessions } from '../api'
import { errorText } from '../format'

export function useSessionSearch(query: string): {
  hits: SessionHit[] | undefined
  error: string | undefined
} {
  const [hits, setHits] = useState<SessionHit[] | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  useEffect(() => {
    const q = query.trim()
    setError(undefined)
    if (q === '') return setHits(undefined)
    let live = true
    // Typing a word is one search, not one per letter.
    const t = setTimeout(() => {
      searchSessions(q).then(
        (found) => live && setHits(found),
        (e) => live && setError(errorText(e)),
      )
    }, 200)
    return () => {
      live = false
      clearTimeout(t)
    }
  }, [query])
  return { hits, error }
}

/** Puts the cursor in the search box; `showList` first opens the sessions panel where it is a slide-over. */
export function focusSessionSearch(showList: () => void): void {
  const focus = () => document.getElementById('session-search')?.focus()
  if (!window.matchMedia('(max-width: 720px)').matches) {
    focus()
    return
  }
  showList()
  // The panel slides in with the next render.
  requestAnimationFrame(focus)
}

export function SearchBox({ value, onChange }: { value: string; onChange(value: string): void }) {
  return (
    <div class="session-search">
      <label class="visually-hidden" for="session-search">
        Search sessions
      </label>
      <input
        id="session-search"
        class="text-field session-search-input"
        type="search"
        placeholder="Search titles and messages"
        value={value}
        maxLength={200}
        onInput={(e) => onChange(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key !== 'Escape' || value === '') return
          e.stopPropagation()
          onChange('')
        }}
      />
    </div>
  )
}

export function SearchResults(props: {
  hits: SessionHit[] | undefined
  error: string | undefined
  currentId: string
  onSelect(id: string): void
}) {
  if (props.error !== undefined) return <p class="sidebar-error">{props.error}</p>
  if (props.hits === undefined) return <p class="muted sidebar-loading">Searching…</p>
  if (props.hits.length === 0) return <p class="muted sidebar-loading">No session mentions that.</p>
  return (
    <ul class="session-list" aria-label="Search results" data-testid="search-results">
      {props.hits.map((hit) => (
        <li key={hit.id} class={`session ${hit.id === props.currentId ? 'current' : ''}`}>
          <button
            type="button"
            class="session-open"
            aria-current={hit.id === props.currentId ? 'page' : undefined}
            onClick={() => props.onSelect(hit.id)}
            data-session-id={hit.id}
          >
            <span class="session-title">{hit.title || hit.id}</span>
            <span class="session-meta search-snippet">
              {hit.match.in === 'message' ? hit.match.snippet : 'in the title'}
            </span>
          </button>
        </li>
      ))}
    </ul>
  )
}
