import { describe, expect, it } from 'vitest'
import { type KeyPress, SHORTCUTS, shortcutFor } from './shortcuts'

const press = (over: Partial<KeyPress>): KeyPress => ({
  key: '',
  code: '',
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  inTextBox: false,
  inComposer: false,
  ...over,
})

describe('shortcutFor', () => {
  it('takes Ctrl on Linux and Windows and ⌘ on a Mac for the modified shortcuts', () => {
    const newSession = { code: 'KeyO', key: 'O', shiftKey: true }
    expect(shortcutFor(press({ ...newSession, ctrlKey: true }), false)).toBe('new')
    expect(shortcutFor(press({ ...newSession, metaKey: true }), true)).toBe('new')
    expect(shortcutFor(press({ ...newSession, metaKey: true }), false)).toBeUndefined()
    expect(shortcutFor(press({ code: 'Semicolon', ctrlKey: true, shiftKey: true }), false)).toBe('copyCode')
    expect(shortcutFor(press({ code: 'Slash', ctrlKey: true }), false)).toBe('help')
    expect(shortcutFor(press({ code: 'KeyK', metaKey: true }), true)).toBe('search')
  })

  it('leaves one-key shortcuts to typing: ? only outside a text box, Esc stops only from the message box', () => {
    expect(shortcutFor(press({ key: '?', shiftKey: true }), false)).toBe('help')
    expect(shortcutFor(press({ key: '?', shiftKey: true, inTextBox: true }), false)).toBeUndefined()
    expect(shortcutFor(press({ key: 'Escape', inTextBox: true, inComposer: true }), false)).toBe('stop')
    expect(shortcutFor(press({ key: 'Escape', inTextBox: true }), false)).toBeUndefined()
    expect(shortcutFor(press({ key: 'Escape', shiftKey: true, inTextBox: true }), false)).toBe('focus')
  })

  it('moves between sessions with Alt and the arrows, and every shortcut is on the help sheet', () => {
    expect(shortcutFor(press({ key: 'ArrowDown', altKey: true }), false)).toBe('next')
    expect(shortcutFor(press({ key: 'ArrowUp', altKey: true }), false)).toBe('previous')
    expect(shortcutFor(press({ key: 'ArrowUp' }), false)).toBeUndefined()
    expect(new Set(SHORTCUTS.map((s) => s.id)).size).toBe(8)
  })
})
