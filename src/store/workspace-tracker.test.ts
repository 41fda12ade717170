import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PATCH_LINES } from '../protocol/patch-bounds.js'
import { MAX_DIFF_FILE_BYTES, textDiff, textOf } from './text-diff.js'
import { DirectoryWorkspaceInspector, type TrackerLimits, WorkspaceTracker } from './workspace-tracker.js'

let root: string
let dir: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ar-tracker-'))
  dir = join(root, 'workspace')
  mkdirSync(dir)
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

const write = (path: string, content: string | Uint8Array) => writeFileSync(join(dir, path), content)

describe('text diffs', () => {
  it('tells text from binary: NUL bytes or invalid UTF-8 are not text', () => {
    expect(textOf(new TextEncoder().encode('héllo\n'))).toBe('héllo\n')
    expect(textOf(new Uint8Array([104, 0, 105]))).toBeUndefined()
    expect(textOf(new Uint8Array([0xc3, 0x28]))).toBeUndefined()
  })

  it('diffs two texts as hunks with three lines of context', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\n'
    expect(textDiff(before, before.replace('d', 'D'))).toEqual({
      patch: [
        {
          oldStart: 1,
          oldLines: 7,
          newStart: 1,
          newLines: 7,
          lines: [' a', ' b', ' c', '-d', '+D', ' e', ' f', ' g'],
        },
      ],
    })
  })

  it('clips a long diff to the event bounds and says so', () => {
    const long = Array.from({ length: PATCH_LINES * 2 }, (_, i) => `line ${i}`).join('\n')
    const diff = textDiff('', long)
    expect(diff.patchClipped).toBe(true)
    expect(diff.patch?.flatMap((h) => h.lines)).toHaveLength(PATCH_LINES)
  })
})

describe('workspace tracker', () => {
  it('sets a baseline first, then diffs created and modified text files against the previous snapshot', async () => {
    write('edit.txt', 'one\ntwo\n')
    write('gone.txt', 'bye\n')
    const tracker = new WorkspaceTracker(dir)
    const first = await tracker.snapshot()
    expect([...first.files.keys()].sort()).toEqual(['edit.txt', 'gone.txt'])
    expect(first.diffs.size).toBe(0)

    write('edit.txt', 'one\n2\n')
    write('new.txt', 'fresh\n')
    unlinkSync(join(dir, 'gone.txt'))
    const second = await tracker.snapshot()
    expect(Object.fromEntries(second.diffs)).toEqual({
      'edit.txt': {
        patch: [{ oldStart: 1, oldLines: 2, newStart: 1, newLines: 2, lines: [' one', '-two', '+2'] }],
      },
      'new.txt': { patch: [{ oldStart: 1, oldLines: 0, newStart: 1, newLines: 1, lines: ['+fresh'] }] },
    })

    // The next snapshot diffs against the second one, not the baseline.
    write('edit.txt', 'one\n2\nthree\n')
    const third = await tracker.snapshot()
    expect(third.diffs.get('edit.txt')?.patch?.[0]?.lines).toEqual([' one', ' 2', '+three'])
    expect(third.diffs.has('new.txt')).toBe(false)
  })

  it('gives binary and too large files no patch, saying why', async () => {
    const tracker = new WorkspaceTracker(dir)
    await tracker.snapshot()
    write('image.png', new Uint8Array([137, 80, 78, 71, 0, 1]))
    write('big.txt', 'x'.repeat(MAX_DIFF_FILE_BYTES + 1))
    const after = await tracker.snapshot()
    expect(after.diffs.get('image.png')).toEqual({ noPatch: 'binary' })
    expect(after.diffs.get('big.txt')).toEqual({ noPatch: 'too_large' })
  })

  it('keeps text within its budget: a file whose previous text was let go gets no patch', async () => {
    write('a.txt', 'a'.repeat(60))
    write('b.txt', 'b'.repeat(60))
    const tracker = new WorkspaceTracker(dir, { keptBytes: 100 })
    await tracker.snapshot()
    write('a.txt', 'A'.repeat(60))
    write('b.txt', 'B'.repeat(60))
    const after = await tracker.snapshot()
    // The baseline could keep only one of the two.
    const reasons = [after.diffs.get('a.txt'), after.diffs.get('b.txt')].map((d) => d?.noPatch)
    expect(reasons.sort()).toEqual(['not_kept', undefined])
    // A created file needs no previous text.
    write('c.txt', 'c\n')
    expect((await tracker.snapshot()).diffs.get('c.txt')?.patch).toHaveLength(1)
  })

  it('keeps at most so many files, and makes at most so many diff lines per snapshot', async () => {
    const outcomes = async (limits: Partial<TrackerLimits>) => {
      rmSync(dir, { recursive: true, force: true })
      mkdirSync(dir)
      for (const name of ['a', 'b', 'c']) write(`${name}.txt`, `${name}\n`)
      const tracker = new WorkspaceTracker(dir, limits)
      await tracker.snapshot()
      for (const name of ['a', 'b', 'c']) write(`${name}.txt`, `${name}\n${name} again\n`)
      const diffs = [...(await tracker.snapshot()).diffs.values()]
      return diffs.map((d) => d.noPatch ?? `${d.patch?.[0]?.lines.length} lines`).sort()
    }
    // The baseline kept two files' text.
    expect(await outcomes({ keptFiles: 2 })).toEqual(['2 lines', '2 lines', 'not_kept'])
    // Two diffs of 2 lines reach the bound of 3.
    expect(await outcomes({ diffLines: 3 })).toEqual(['2 lines', '2 lines', 'too_many'])
  })

  it('never reads through a symlink that leads out of the workspace', async () => {
    writeFileSync(join(root, 'secret'), 'not yours\n')
    const tracker = new WorkspaceTracker(dir)
    await tracker.snapshot()
    symlinkSync(join(root, 'secret'), join(dir, 'link'))
    const after = await tracker.snapshot()
    expect(after.files.has('link')).toBe(true)
    expect(after.diffs.has('link')).toBe(false)
  })

  it('keeps a tracker per session on the host', async () => {
    const inspector = new DirectoryWorkspaceInspector((id) => join(root, id))
    mkdirSync(join(root, 's1'))
    await inspector.snapshot('s1')
    writeFileSync(join(root, 's1', 'x.txt'), 'x\n')
    expect((await inspector.snapshot('s1')).diffs.get('x.txt')?.patch).toHaveLength(1)
    expect((await inspector.snapshot('s2')).diffs.size).toBe(0)
  })

  it("lets go of a deleted session's tracker: its next snapshot is a new baseline", async () => {
    const inspector = new DirectoryWorkspaceInspector((id) => join(root, id))
    mkdirSync(join(root, 's3'))
    await inspector.snapshot('s3')
    writeFileSync(join(root, 's3', 'y.txt'), 'y\n')
    inspector.forget('s3')
    expect((await inspector.snapshot('s3')).diffs.size).toBe(0)
  })
})
