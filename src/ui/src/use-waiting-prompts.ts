/**
 * Permission prompts waiting in every session, for the sidebar badges, the tab title and notifications. The
 * open session's prompts come from its live feed (at once); the others' from `GET /agent/permissions`, polled
 * every few seconds. A prompt that appears while the tab is hidden raises a browser notification, if the person
 * allowed them (asked from the permission card, never on load).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import * as api from './api'
import type { PermissionItem } from './conversation'

const POLL_MS = 3000

export function useWaitingPrompts(
  sessionId: string,
  current: readonly PermissionItem[],
  titleOf: (sessionId: string) => string,
): Map<string, number> {
  const [others, setOthers] = useState<api.WaitingPrompt[]>([])
  const seen = useRef(new Set<string>())
  const titles = useRef(titleOf)
  titles.current = titleOf

  useEffect(() => {
    let stopped = false
    const poll = () =>
      api.waitingPrompts().then(
        (list) => !stopped && setOthers(list),
        () => undefined,
      )
    void poll()
    const timer = setInterval(() => void poll(), POLL_MS)
    const onVisible = () => document.visibilityState === 'visible' && void poll()
    document.addEventListener('visibilitychange', onVisible)
    return () => {
      stopped = true
      clearInterval(timer)
      document.removeEventListener('visibilitychange', onVisible)
    }
  }, [])

  const all = useMemo(
    () => [
      ...others.filter((p) => p.sessionId !== sessionId),
      ...current.map((p) => ({ sessionId, requestId: p.requestId, tool: p.tool })),
    ],
    [others, current, sessionId],
  )

  useEffect(() => {
    for (const prompt of all) {
      if (seen.current.has(prompt.requestId)) continue
      seen.current.add(prompt.requestId)
      if (document.visibilityState !== 'hidden') continue
      if (typeof Notification === 'undefined' || Notification.permission !== 'granted') continue
      const n = new Notification('Approval needed', {
        body: `${prompt.tool} in “${titles.current(prompt.sessionId)}”`,
        tag: prompt.requestId,
      })
      n.onclick = () => {
        window.focus()
        n.close()
      }
    }
  }, [all])

  return useMemo(() => {
    const counts = new Map<string, number>()
    for (const p of all) counts.set(p.sessionId, (counts.get(p.sessionId) ?? 0) + 1)
    return counts
  }, [all])
}
