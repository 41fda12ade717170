/**
 * What covers the page, and the keys that act on it: on a narrow screen the sessions list or the workspace
 * slides over the conversation (Escape closes it); the shortcuts sheet opens each time it is asked for; and the
 * keyboard shortcuts of `shortcuts.ts` are bound to the page's actions.
 */
import { useEffect, useState } from 'preact/hooks'
import { copyLastCodeBlock } from './components/markdown-view'
import { focusSessionSearch } from './components/session-search'
import { errorText } from './format'
import { useShortcuts } from './use-shortcuts'

/** The panel over the conversation on a narrow screen. */
export type Overlay = 'sessions' | 'workspace' | undefined

export interface Overlays {
  overlay: Overlay
  setOverlay(overlay: Overlay): void
  /** How often the shortcuts sheet was asked for: each time opens it. */
  helpAsked: number
  askHelp(): void
}

export function useOverlays(): Overlays {
  const [overlay, setOverlay] = useState<Overlay>(undefined)
  const [helpAsked, setHelpAsked] = useState(0)

  useEffect(() => {
    if (overlay === undefined) return
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOverlay(undefined)
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [overlay])

  return { overlay, setOverlay, helpAsked, askHelp: () => setHelpAsked((n) => n + 1) }
}

/** What the shortcuts act on. */
export interface PageActions {
  /** The sessions in the sidebar's order (Alt+↑/↓ step through them). */
  sessions: readonly { id: string }[] | undefined
  sessionId: string
  select(id: string): void
  newSession(): void
  running: boolean
  interrupt(): void
  /** Says something to the person (the notice under the conversation). */
  notify(text: string): void
}

/** Binds the page's keyboard shortcuts to its actions and overlays. */
export function usePageShortcuts(page: PageActions, overlays: Overlays): void {
  const step = (by: number) => {
    const list = page.sessions ?? []
    const next =
      list[Math.min(list.length - 1, Math.max(0, list.findIndex((s) => s.id === page.sessionId) + by))]
    if (next !== undefined && next.id !== page.sessionId) page.select(next.id)
  }
  useShortcuts({
    new: page.newSession,
    focus: () => document.getElementById('message')?.focus(),
    search: () => focusSessionSearch(() => overlays.setOverlay('sessions')),
    stop: () => page.running && page.interrupt(),
    next: () => step(1),
    previous: () => step(-1),
    copyCode: () =>
      copyLastCodeBlock().then(
        (copied) =>
          page.notify(copied ? 'Copied the last code block.' : 'There is no code block to copy yet.'),
        (e) => page.notify(`Could not copy: ${errorText(e)}`),
      ),
    help: overlays.askHelp,
  })
}
