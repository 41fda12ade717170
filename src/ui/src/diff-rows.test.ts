import { describe, expect, it } from 'vitest'
import { diffStat, diffText, hunkRows, numberLines, splitRows } from './diff-rows'

describe('diff rows', () => {
  it("numbers a hunk's lines from where it starts, with a gap before a hunk further down", () => {
    const rows = hunkRows([{ oldStart: 3, oldLines: 2, newStart: 3, newLines: 2, lines: [' a', '-b', '+B'] }])
    expect(rows).toEqual([
      { kind: 'gap' },
      { kind: 'same', text: 'a', oldNo: 3, newNo: 3 },
      { kind: 'del', text: 'b', oldNo: 4 },
      { kind: 'add', text: 'B', newNo: 4 },
    ])
    expect(diffStat(rows)).toEqual({ added: 1, removed: 1 })
    expect(diffText(rows)).toBe('⋯\n a\n-b\n+B')
  })

  it('counts folded lines into the numbers after a gap', () => {
    const rows = numberLines([
      { kind: 'gap', count: 5 },
      { kind: 'del', text: 'x' },
      { kind: 'same', text: 'y' },
    ])
    expect(rows.slice(1)).toEqual([
      { kind: 'del', text: 'x', oldNo: 6 },
      { kind: 'same', text: 'y', oldNo: 7, newNo: 6 },
    ])
  })

  it('pairs a run of removals with the additions after it, side by side', () => {
    const rows = hunkRows([
      { oldStart: 1, oldLines: 3, newStart: 1, newLines: 2, lines: [' s', '-a', '-b', '+A'] },
    ])
    const pairs = splitRows(rows)
    expect(pairs.map((p) => ('kind' in p ? 'gap' : p.map((s) => s?.text ?? null)))).toEqual([
      ['s', 's'],
      ['a', 'A'],
      ['b', null],
    ])
  })
})
