/**
 * The session shown, in the address bar (`?session=<id>`, one history entry per session chosen, so Back and
 * Forward move between sessions) and in localStorage (the last one, for a plain visit).
 */
import { SESSION_ID_PATTERN } from '../../protocol/wire-event'
import { newSessionId } from './format'

const LAST_SESSION = 'agent-router:session'

export function sessionInUrl(): string | undefined {
  const fromUrl = new URLSearchParams(location.search).get('session')
  return fromUrl && SESSION_ID_PATTERN.test(fromUrl) ? fromUrl : undefined
}

export function initialSession(): string {
  return sessionInUrl() ?? localStorage.getItem(LAST_SESSION) ?? newSessionId()
}

/** Puts the session in the address bar: a new history entry when it is another session than the one shown. */
export function showSessionInUrl(id: string, how: 'push' | 'replace'): void {
  const url = new URL(location.href)
  url.searchParams.set('session', id)
  if (how === 'push' && sessionInUrl() !== id) history.pushState(null, '', url)
  else history.replaceState(history.state, '', url)
  localStorage.setItem(LAST_SESSION, id)
}
