/**
 * The bounds of a diff carried in an event (`tool_result`'s and `file_change`'s `patch`): a few hundred lines,
 * each cut to a few hundred characters, so a rewritten or minified file does not swell the event log.
 */
import type { PatchHunk } from './events.js'

/** Why a changed file's event carries no diff (`FileDiff.noPatch`, events.ts). */
export const NO_PATCH_REASONS = ['binary', 'too_large', 'not_kept', 'too_many'] as const

/** At most this many diff lines travel in one event; the rest is cut and said to be. */
export const PATCH_LINES = 400
/** Longer diff lines (minified files) are cut to this many characters. */
export const PATCH_LINE_CHARS = 400

/** `hunks` cut to `PATCH_LINES` lines in all and `PATCH_LINE_CHARS` per line; `patchClipped` when cut. */
export function clipPatch(hunks: Iterable<PatchHunk>): { patch: PatchHunk[]; patchClipped?: true } {
  const patch: PatchHunk[] = []
  let budget = PATCH_LINES
  let clipped = false
  for (const hunk of hunks) {
    if (budget <= 0) {
      clipped = true
      break
    }
    if (hunk.lines.length > budget) clipped = true
    const lines = hunk.lines
      .slice(0, budget)
      .map((l) => (l.length > PATCH_LINE_CHARS ? `${l.slice(0, PATCH_LINE_CHARS)}…` : l))
    budget -= lines.length
    patch.push({ ...hunk, lines })
  }
  return clipped ? { patch, patchClipped: true } : { patch }
}
