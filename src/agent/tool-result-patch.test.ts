import { describe, expect, it } from 'vitest'
import { PATCH_LINE_CHARS, PATCH_LINES, toolResultPatch } from './tool-result-patch.js'

const hunk = (lines: string[]) => ({ oldStart: 1, oldLines: 2, newStart: 1, newLines: 2, lines })

describe('toolResultPatch', () => {
  it("keeps Claude Code's structuredPatch hunks as they are", () => {
    const patch = [hunk([' a', '-b', '+c']), hunk(['+d'])]
    expect(toolResultPatch({ type: 'update', structuredPatch: patch })).toEqual({ patch })
  })

  it('has nothing for results without a patch, an empty patch or malformed hunks', () => {
    for (const v of [undefined, 'text', { stdout: 'x' }, { structuredPatch: [] }, { structuredPatch: [{}] }])
      expect(toolResultPatch(v)).toBeUndefined()
    expect(toolResultPatch({ structuredPatch: [{ ...hunk(['+a']), oldStart: -1 }] })).toBeUndefined()
  })

  it('drops lines that are not diff lines', () => {
    expect(
      toolResultPatch({
        structuredPatch: [{ ...hunk([]), lines: ['+a', 'junk', 7, '\\ No newline at end of file'] }],
      }),
    ).toEqual({ patch: [hunk(['+a', '\\ No newline at end of file'])] })
  })

  it('bounds the lines and their length, and says it cut', () => {
    const many = Array.from({ length: PATCH_LINES + 10 }, (_, i) => `+${i}`)
    const out = toolResultPatch({ structuredPatch: [hunk(many), hunk(['+after'])] })
    expect(out?.patch).toHaveLength(1)
    expect(out?.patch[0]?.lines).toHaveLength(PATCH_LINES)
    expect(out?.patchClipped).toBe(true)
    const wide = toolResultPatch({ structuredPatch: [hunk([`+${'x'.repeat(PATCH_LINE_CHARS * 2)}`])] })
    expect(wide?.patch[0]?.lines[0]).toHaveLength(PATCH_LINE_CHARS + 1)
    expect(wide?.patchClipped).toBeUndefined()
  })
})
