/**
 * A line diff for the permission card (what a Write or Edit would change): the common head and tail are cut
 * off, and the middle is aligned by a longest common subsequence of lines. Large middles, where that table
 * would be too big for a prompt, are shown as all removed then all added.
 */

export interface DiffLine {
  kind: 'same' | 'add' | 'del'
  text: string
}

/** Cells of the LCS table above which the middle is not aligned. */
const MAX_CELLS = 2_000_000

const linesOf = (text: string): string[] => (text === '' ? [] : text.replace(/\n$/, '').split('\n'))

export function lineDiff(before: string, after: string): DiffLine[] {
  const a = linesOf(before)
  const b = linesOf(after)
  let head = 0
  while (head < a.length && head < b.length && a[head] === b[head]) head++
  let tail = 0
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++
  const x = a.slice(head, a.length - tail)
  const y = b.slice(head, b.length - tail)
  const same = (lines: string[]): DiffLine[] => lines.map((text) => ({ kind: 'same', text }))
  return [...same(a.slice(0, head)), ...alignMiddle(x, y), ...same(a.slice(a.length - tail))]
}

function alignMiddle(x: string[], y: string[]): DiffLine[] {
  const del = (text: string): DiffLine => ({ kind: 'del', text })
  const add = (text: string): DiffLine => ({ kind: 'add', text })
  if (x.length * y.length > MAX_CELLS) return [...x.map(del), ...y.map(add)]
  // lcs[i][j]: length of the LCS of x[i..] and y[j..], flattened.
  const w = y.length + 1
  const lcs = new Uint32Array((x.length + 1) * w)
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--)
      lcs[i * w + j] =
        x[i] === y[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!)
  const out: DiffLine[] = []
  let i = 0
  let j = 0
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      out.push({ kind: 'same', text: x[i]! })
      i++
      j++
    } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) out.push(del(x[i++]!))
    else out.push(add(y[j++]!))
  }
  while (i < x.length) out.push(del(x[i++]!))
  while (j < y.length) out.push(add(y[j++]!))
  return out
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
