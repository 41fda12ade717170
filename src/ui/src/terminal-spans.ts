/**
 * A command's output as styled spans, for the Bash card's terminal view: anser (a well-kept ANSI escape
 * parser) splits the text; the 16 base colours become classes the stylesheet gives a readable palette, the
 * 256-colour palette and 24-bit colours become inline colours. Loaded with the first terminal shown.
 */
import Anser from 'anser'

export interface TerminalSpan {
  text: string
  /** `ansi-red`, `ansi-bright-blue`… for the 16 base colours. */
  classes: string[]
  color?: string
  background?: string
}

/** The xterm 256-colour palette beyond the 16 base colours: a 6×6×6 cube, then 24 greys. */
function paletteColor(n: number): string | undefined {
  if (n >= 16 && n <= 231) {
    const level = (v: number) => (v === 0 ? 0 : 55 + v * 40)
    const i = n - 16
    return `rgb(${level(Math.floor(i / 36))}, ${level(Math.floor(i / 6) % 6)}, ${level(i % 6)})`
  }
  if (n >= 232 && n <= 255) {
    const g = 8 + (n - 232) * 10
    return `rgb(${g}, ${g}, ${g})`
  }
  return undefined
}

const BASE = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white']
const baseName = (n: number) => (n < 8 ? `ansi-${BASE[n]}` : `ansi-bright-${BASE[n - 8]}`)

/** Class or inline colour for anser's colour name (`ansi-red`, `ansi-palette-208`) or truecolor. */
function colorOf(name: string | null, truecolor: string | null): { cls?: string; css?: string } {
  if (truecolor) return { css: `rgb(${truecolor})` }
  if (!name) return {}
  const palette = /^ansi-palette-(\d+)$/.exec(name)
  if (palette === null) return { cls: name }
  const n = Number(palette[1])
  return n < 16 ? { cls: baseName(n) } : { css: paletteColor(n) }
}

export function terminalSpans(text: string): TerminalSpan[] {
  return Anser.ansiToJson(text, { use_classes: true, remove_empty: true }).map((part) => {
    const fg = colorOf(part.fg, part.fg_truecolor)
    const bg = colorOf(part.bg, part.bg_truecolor)
    const classes = [
      ...(fg.cls ? [fg.cls] : []),
      ...(bg.cls ? [`${bg.cls.replace(/^ansi-/, 'ansi-bg-')}`] : []),
      ...part.decorations.map((d) => `ansi-${d}`),
    ]
    return {
      text: part.content,
      classes,
      ...(fg.css && { color: fg.css }),
      ...(bg.css && { background: bg.css }),
    }
  })
}
