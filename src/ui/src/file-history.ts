/**
 * What the latest turn that changed a file did to it, for the workspace viewer's "Changes" view: in order, the
 * diffs Claude Code reported for Write, Edit and MultiEdit (a file a Write created: all its lines added) and
 * the diffs `file_change` events carry for what commands changed. Pure, so it is tested without a browser.
 */
import type { FileChange, Item, NoPatchReason, PatchHunk, ToolCall } from './conversation'
import { inputText } from './format'

export interface FileEdit {
  /** What made the change: a tool's name, or a command. */
  tool: string
  hunks: PatchHunk[]
  clipped: boolean
  /** The change made the file: its diff is its content. */
  created?: true
  /** Why a command's change has no diff. */
  noPatch?: NoPatchReason
}

const NO_PATCH_NOTES: Record<NoPatchReason, string> = {
  binary: 'binary file, no diff',
  too_large: 'large file, no diff',
  not_kept: 'previous version not kept, no diff',
  too_many: 'too many changes at once, no diff',
}

/** Why a change has no diff, in a few words. */
export const noPatchNote = (reason: NoPatchReason): string => NO_PATCH_NOTES[reason]

/** Who made a `file_change` that carries a diff (no file tool's card shows it). */
export const commandLabel = (change: FileChange): string =>
  change.action === 'created' ? 'Created by a command' : 'Changed by a command'

function commandEdit(change: FileChange): FileEdit | undefined {
  if (change.patch === undefined && change.noPatch === undefined) return undefined
  return {
    tool: commandLabel(change),
    hunks: change.patch ?? [],
    clipped: change.patchClipped === true,
    ...(change.action === 'created' && { created: true as const }),
    ...(change.noPatch !== undefined && { noPatch: change.noPatch }),
  }
}

/** A new file's creation as a diff: every line added (Claude Code reports no hunks for it). */
function created(content: string): PatchHunk[] {
  const lines = content.replace(/\n$/, '').split('\n')
  return [{ oldStart: 0, oldLines: 0, newStart: 1, newLines: lines.length, lines: lines.map((l) => `+${l}`) }]
}

function editOf(call: ToolCall): FileEdit | undefined {
  if (call.patch !== undefined)
    return { tool: call.name, hunks: call.patch, clipped: call.patchClipped === true }
  const content = inputText(call.input, 'content')
  if (call.name === 'Write' && call.state === 'done' && content !== undefined)
    return { tool: 'Write (new file)', hunks: created(content), clipped: false, created: true }
  return undefined
}

function editsIn(calls: readonly ToolCall[], path: string): FileEdit[] {
  return calls.flatMap((call) => {
    const edit = call.path === path ? editOf(call) : undefined
    return [...(edit === undefined ? [] : [edit]), ...editsIn(call.children, path)]
  })
}

/** The edits of `path` in the latest turn that has any; empty when no turn's change of it has a diff. */
export function lastTurnEdits(items: readonly Item[], path: string): FileEdit[] {
  let latest: FileEdit[] = []
  let turn: FileEdit[] = []
  for (const item of items) {
    if (item.kind === 'user') turn = []
    else if (item.kind === 'tool') turn.push(...editsIn([item.call], path))
    else if (item.kind === 'files')
      for (const change of item.changes) {
        const edit = change.path === path ? commandEdit(change) : undefined
        if (edit !== undefined) turn.push(edit)
      }
    if (turn.length > 0) latest = turn
  }
  return latest
}
