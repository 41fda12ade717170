/** Listens for the keyboard shortcuts of `shortcuts.ts` on the whole page and runs their actions. */
import { useEffect, useRef } from 'preact/hooks'
import { isMac, type ShortcutId, shortcutFor } from './shortcuts'

export function useShortcuts(actions: Record<ShortcutId, () => void>): void {
  // The latest actions, without registering the listener again on every render.
  const latest = useRef(actions)
  latest.current = actions
  useEffect(() => {
    const mac = isMac()
    const onKey = (e: KeyboardEvent) => {
      const target = e.target instanceof HTMLElement ? e.target : undefined
      const inTextBox =
        target !== undefined &&
        (target.isContentEditable ||
          target instanceof HTMLTextAreaElement ||
          target instanceof HTMLInputElement ||
          target instanceof HTMLSelectElement)
      const id = shortcutFor(
        {
          key: e.key,
          code: e.code,
          ctrlKey: e.ctrlKey,
          metaKey: e.metaKey,
          shiftKey: e.shiftKey,
          altKey: e.altKey,
          inTextBox,
          inComposer: target?.id === 'message',
        },
        mac,
      )
      if (id === undefined || e.defaultPrevented) return
      e.preventDefault()
      latest.current[id]()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
}
