/**
 * The diff a file tool made, for the person to read: Claude Code reports a Write's, Edit's or MultiEdit's
 * change as `structuredPatch` hunks on the message that carries the tool's result. They are passed on in the
 * `tool_result` event, bounded, so a card shows the change it made without reading the workspace again.
 */
import type { PatchHunk } from '../protocol/events.js'

/** At most this many diff lines travel in one `tool_result`; the rest is cut and said to be. */
export const PATCH_LINES = 400
/** Longer diff lines (minified files) are cut to this many characters. */
export const PATCH_LINE_CHARS = 400

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0

function hunkOf(v: unknown): PatchHunk | undefined {
  if (!isRecord(v) || !Array.isArray(v.lines)) return undefined
  const { oldStart, oldLines, newStart, newLines } = v
  if (!isInt(oldStart) || !isInt(oldLines) || !isInt(newStart) || !isInt(newLines)) return undefined
  const lines = v.lines.filter((l): l is string => typeof l === 'string' && /^[ +\-\\]/.test(l))
  return { oldStart, oldLines, newStart, newLines, lines }
}

/**
 * The hunks of Claude Code's `tool_use_result.structuredPatch`, at most `PATCH_LINES` lines in all;
 * undefined when the result has none (not a file tool, or nothing changed).
 */
export function toolResultPatch(
  toolUseResult: unknown,
): { patch: PatchHunk[]; patchClipped?: true } | undefined {
  if (!isRecord(toolUseResult) || !Array.isArray(toolUseResult.structuredPatch)) return undefined
  const patch: PatchHunk[] = []
  let budget = PATCH_LINES
  let clipped = false
  for (const raw of toolUseResult.structuredPatch) {
    const hunk = hunkOf(raw)
    if (hunk === undefined) continue
    if (budget <= 0) {
      clipped = true
      break
    }
    if (hunk.lines.length > budget) clipped = true
    hunk.lines = hunk.lines
      .slice(0, budget)
      .map((l) => (l.length > PATCH_LINE_CHARS ? `${l.slice(0, PATCH_LINE_CHARS)}…` : l))
    budget -= hunk.lines.length
    patch.push(hunk)
  }
  if (patch.length === 0) return undefined
  return clipped ? { patch, patchClipped: true } : { patch }
}
