/**
 * The diff a file tool made, for the person to read: Claude Code reports a Write's, Edit's or MultiEdit's
 * change as `structuredPatch` hunks on the message that carries the tool's result. They are passed on in the
 * `tool_result` event, bounded, so a card shows the change it made without reading the workspace again.
 */
import type { PatchHunk } from '../protocol/events.js'
import { clipPatch } from '../protocol/patch-bounds.js'

export { PATCH_LINE_CHARS, PATCH_LINES } from '../protocol/patch-bounds.js'

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
  const hunks = toolUseResult.structuredPatch.map(hunkOf).filter((h): h is PatchHunk => h !== undefined)
  if (hunks.length === 0) return undefined
  return clipPatch(hunks)
}
