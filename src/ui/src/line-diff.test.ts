import { describe, expect, it } from 'vitest'
import { lineDiff, withContext } from './line-diff'

describe('lineDiff', () => {
  it('marks the lines an edit removes and adds, keeping the rest', () => {
    expect(lineDiff('a\nb\nc\n', 'a\nB\nc\nd\n')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'del', text: 'b' },
      { kind: 'add', text: 'B' },
      { kind: 'same', text: 'c' },
      { kind: 'add', text: 'd' },
    ])
  })

  it('shows a new file as all added', () => {
    expect(lineDiff('', 'x\ny')).toEqual([
      { kind: 'add', text: 'x' },
      { kind: 'add', text: 'y' },
    ])
  })

  it('folds long unchanged runs into a gap', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n')
    const after = before.replace('line 10', 'line ten')
    const shown = withContext(lineDiff(before, after), 2)
    expect(shown[0]).toEqual({ kind: 'gap', count: 8 })
    expect(shown.filter((l) => l.kind === 'del' || l.kind === 'add')).toHaveLength(2)
    expect(shown.at(-1)).toEqual({ kind: 'gap', count: 7 })
  })
})
