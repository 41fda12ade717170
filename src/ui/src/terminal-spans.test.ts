import { describe, expect, it } from 'vitest'
import { terminalSpans } from './terminal-spans'

describe('terminalSpans', () => {
  it('gives base colours and decorations as classes, and keeps the text whole', () => {
    const spans = terminalSpans('a\u001b[31mred\u001b[0m \u001b[1;32mok\u001b[0m')
    expect(spans.map((s) => s.text).join('')).toBe('ared ok')
    expect(spans.find((s) => s.text === 'red')?.classes).toEqual(['ansi-red'])
    expect(spans.find((s) => s.text === 'ok')?.classes).toEqual(['ansi-green', 'ansi-bold'])
  })

  it('gives 256-colour and 24-bit colours as inline colours, and bright base colours as classes', () => {
    const [cube, grey, base, rgb] = terminalSpans(
      '\u001b[38;5;196mA\u001b[38;5;244mB\u001b[38;5;9mC\u001b[38;2;1;2;3mD',
    )
    expect(cube?.color).toBe('rgb(255, 0, 0)')
    expect(grey?.color).toBe('rgb(128, 128, 128)')
    expect(base?.classes).toEqual(['ansi-bright-red'])
    expect(rgb?.color).toBe('rgb(1, 2, 3)')
  })
})
