/**
 * What the latest turn that changed a file through Write, Edit or MultiEdit did to it: the diffs Claude Code
 * reported, in order (a file a Write created: all its lines added), for the workspace viewer's "Changes" view.
 * Pure, so it is tested without a browser.
 */
import type { Item, PatchHunk, ToolCall } from './conversation'
import { inputText } from './format'

export interface FileEdit {
  tool: string
  hunks: PatchHunk[]
  clipped: boolean
  /** A Write that made the file: its diff is its content. */
  created?: true
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

/** The edits of `path` in the latest turn that has any; empty when no turn edited it with a file tool. */
export function lastTurnEdits(items: readonly Item[], path: string): FileEdit[] {
  let latest: FileEdit[] = []
  let turn: FileEdit[] = []
  for (const item of items) {
    if (item.kind === 'user') turn = []
    else if (item.kind === 'tool') turn.push(...editsIn([item.call], path))
    if (turn.length > 0) latest = turn
  }
  return latest
}
