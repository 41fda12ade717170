/**
 * The diff of a file's text between two workspace snapshots, computed with jsdiff: the same hunk shape Claude
 * Code reports for its file tools, bounded the same way, so the UI shows both alike.
 */
import { structuredPatch } from 'diff'
import type { FileDiff } from '../protocol/events.js'
import { clipPatch } from '../protocol/patch-bounds.js'

/** Files larger than this get no diff (and their text is not kept between snapshots). */
export const MAX_DIFF_FILE_BYTES = 256 * 1024
/** A diff that takes longer than this to compute (two large, unrelated texts) is given up. */
const DIFF_TIMEOUT_MS = 200

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** The bytes as text, or undefined when they are not text (a NUL byte, or not valid UTF-8). */
export function textOf(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined
  try {
    return utf8.decode(bytes)
  } catch {
    return undefined
  }
}

/** The change from `before` to `after` (`before` is '' for a created file), as bounded hunks. */
export function textDiff(before: string, after: string): FileDiff {
  const diff = structuredPatch('a', 'b', before, after, undefined, undefined, {
    context: 3,
    timeout: DIFF_TIMEOUT_MS,
  })
  if (diff === undefined) return { noPatch: 'too_large' }
  return clipPatch(
    diff.hunks.map(({ oldStart, oldLines, newStart, newLines, lines }) => ({
      oldStart,
      oldLines,
      newStart,
      newLines,
      lines,
    })),
  )
}
