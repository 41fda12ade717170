/**
 * The rows a diff view shows, from either side of the diff's sources: hunks of a unified diff (Claude Code's
 * `structuredPatch`, carried by a file tool's `tool_result`) or jsdiff's line diff of two texts
 * (`line-diff.ts`, loaded only when needed). Rows carry old and new line numbers; `splitRows` pairs them for
 * the side-by-side view. Pure, so it is tested without a browser.
 */
import type { PatchHunk } from './conversation'

export interface DiffLine {
  kind: 'same' | 'add' | 'del'
  text: string
}

export type DiffRow =
  | { kind: 'same' | 'add' | 'del'; text: string; oldNo?: number; newNo?: number }
  | { kind: 'gap'; count?: number }

/** Numbers the lines of a whole-text diff (both sides start at line 1). */
export function numberLines(lines: readonly (DiffLine | { kind: 'gap'; count: number })[]): DiffRow[] {
  let oldNo = 1
  let newNo = 1
  return lines.map((line): DiffRow => {
    if (line.kind === 'gap') {
      oldNo += line.count
      newNo += line.count
      return line
    }
    if (line.kind === 'add') return { ...line, newNo: newNo++ }
    if (line.kind === 'del') return { ...line, oldNo: oldNo++ }
    return { ...line, oldNo: oldNo++, newNo: newNo++ }
  })
}

/** The rows of unified-diff hunks, with a gap between hunks (and before one that does not start at line 1). */
export function hunkRows(hunks: readonly PatchHunk[]): DiffRow[] {
  const rows: DiffRow[] = []
  for (const hunk of hunks) {
    if (rows.length > 0 || hunk.oldStart > 1 || hunk.newStart > 1) rows.push({ kind: 'gap' })
    let oldNo = hunk.oldStart
    let newNo = hunk.newStart
    for (const line of hunk.lines) {
      const text = line.slice(1)
      if (line.startsWith('+')) rows.push({ kind: 'add', text, newNo: newNo++ })
      else if (line.startsWith('-')) rows.push({ kind: 'del', text, oldNo: oldNo++ })
      else if (line.startsWith(' ')) rows.push({ kind: 'same', text, oldNo: oldNo++, newNo: newNo++ })
    }
  }
  return rows
}

export type Side = Extract<DiffRow, { text: string }> | undefined

/** Side-by-side pairs: unchanged lines face themselves; a run of removals faces the additions that follow. */
export function splitRows(rows: readonly DiffRow[]): ({ kind: 'gap'; count?: number } | [Side, Side])[] {
  const out: ({ kind: 'gap'; count?: number } | [Side, Side])[] = []
  let i = 0
  while (i < rows.length) {
    const row = rows[i]!
    if (row.kind === 'gap') {
      out.push(row)
      i++
    } else if (row.kind === 'same') {
      out.push([row, row])
      i++
    } else {
      const dels: Side[] = []
      const adds: Side[] = []
      while (rows[i]?.kind === 'del') dels.push(rows[i++] as Side)
      while (rows[i]?.kind === 'add') adds.push(rows[i++] as Side)
      for (let k = 0; k < Math.max(dels.length, adds.length); k++) out.push([dels[k], adds[k]])
    }
  }
  return out
}

/** The rows as unified diff text, for copying. */
export function diffText(rows: readonly DiffRow[]): string {
  return rows
    .map((r) =>
      r.kind === 'gap' ? '⋯' : `${r.kind === 'add' ? '+' : r.kind === 'del' ? '-' : ' '}${r.text}`,
    )
    .join('\n')
}

/** How many lines were added and removed. */
export function diffStat(rows: readonly DiffRow[]): { added: number; removed: number } {
  let added = 0
  let removed = 0
  for (const r of rows) {
    if (r.kind === 'add') added++
    else if (r.kind === 'del') removed++
  }
  return { added, removed }
}
