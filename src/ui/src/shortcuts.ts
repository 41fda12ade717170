/**
 * The keyboard shortcuts, one table for the key handler and the help sheet. They follow the chat apps people
 * know (ChatGPT's new chat, focus input and copy last code block), and use keys the browser leaves to pages.
 */

export type ShortcutId = 'new' | 'search' | 'focus' | 'stop' | 'next' | 'previous' | 'copyCode' | 'help'

export interface Shortcut {
  id: ShortcutId
  /** The keys as the help sheet shows them (`Mod` is ⌘ on a Mac, Ctrl elsewhere). */
  keys: string[]
  does: string
}

export const SHORTCUTS: readonly Shortcut[] = [
  { id: 'new', keys: ['Mod', 'Shift', 'O'], does: 'New session' },
  { id: 'search', keys: ['Mod', 'K'], does: 'Search sessions' },
  { id: 'focus', keys: ['Shift', 'Esc'], does: 'Focus the message box' },
  { id: 'stop', keys: ['Esc'], does: 'Stop the running turn (from the message box)' },
  { id: 'next', keys: ['Alt', '↓'], does: 'Next session' },
  { id: 'previous', keys: ['Alt', '↑'], does: 'Previous session' },
  { id: 'copyCode', keys: ['Mod', 'Shift', ';'], does: 'Copy the last code block' },
  { id: 'help', keys: ['Mod', '/'], does: 'Show these shortcuts (also ? outside a text box)' },
]

export interface KeyPress {
  key: string
  code: string
  ctrlKey: boolean
  metaKey: boolean
  shiftKey: boolean
  altKey: boolean
  /** The keys were pressed in a text box (typing there must not trigger one-key shortcuts). */
  inTextBox: boolean
  /** The keys were pressed in the message box. */
  inComposer: boolean
}

/** Which shortcut a key press is, if any. `mac` picks ⌘ or Ctrl for `Mod`. */
export function shortcutFor(e: KeyPress, mac: boolean): ShortcutId | undefined {
  const mod = mac ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey
  const plain = !e.ctrlKey && !e.metaKey && !e.altKey
  if (mod && e.shiftKey && !e.altKey && e.code === 'KeyO') return 'new'
  if (mod && e.shiftKey && !e.altKey && e.code === 'Semicolon') return 'copyCode'
  if (mod && !e.shiftKey && !e.altKey && e.code === 'KeyK') return 'search'
  if (mod && !e.shiftKey && !e.altKey && e.code === 'Slash') return 'help'
  if (plain && e.key === '?' && !e.inTextBox) return 'help'
  if (plain && e.shiftKey && e.key === 'Escape') return 'focus'
  if (plain && !e.shiftKey && e.key === 'Escape' && e.inComposer) return 'stop'
  if (e.altKey && !e.ctrlKey && !e.metaKey && !e.shiftKey && e.key === 'ArrowDown') return 'next'
  if (e.altKey && !e.ctrlKey && !e.metaKey && !e.shiftKey && e.key === 'ArrowUp') return 'previous'
  return undefined
}

export function isMac(): boolean {
  return /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent)
}
