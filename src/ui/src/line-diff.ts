/**
 * A line diff of two texts (what a Write or Edit would change, or did), from jsdiff's `diffLines`, as
 * one entry per line; long unchanged runs can be folded with `withContext`.
 */
import { diffLines } from 'diff'
import type { DiffLine } from './diff-rows'

export type { DiffLine }

const linesOf = (text: string): string[] => (text === '' ? [] : text.replace(/\n$/, '').split('\n'))

export function lineDiff(before: string, after: string): DiffLine[] {
  // Both sides end with a newline, so a last line without one does not count as changed.
  const withEnd = (text: string) => (text === '' || text.endsWith('\n') ? text : `${text}\n`)
  return diffLines(withEnd(before), withEnd(after)).flatMap((part) => {
    const kind = part.added ? 'add' : part.removed ? 'del' : 'same'
    return linesOf(part.value).map((text): DiffLine => ({ kind, text }))
  })
}

/** Keeps changed lines with `context` unchanged lines around them; longer unchanged runs become one `…` gap. */
export function withContext(lines: DiffLine[], context = 3): (DiffLine | { kind: 'gap'; count: number })[] {
  const near = lines.map(() => false)
  lines.forEach((line, i) => {
    if (line.kind === 'same') return
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) near[k] = true
  })
  const out: (DiffLine | { kind: 'gap'; count: number })[] = []
  for (const [i, line] of lines.entries()) {
    if (near[i]) out.push(line)
    else {
      const last = out[out.length - 1]
      if (last?.kind === 'gap') last.count++
      else out.push({ kind: 'gap', count: 1 })
    }
  }
  return out
}
