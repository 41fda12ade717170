/**
 * Which files a tool call created, modified or deleted: the agent compares snapshots of the workspace taken
 * before and after (so a file a Bash command wrote counts as much as one the Write tool wrote), and what
 * became of its text.
 */
import { type FileChangeData, type NewEvent, ToolResultData, ToolUseData } from '../protocol/events.js'
import type { WorkspaceSnapshot } from '../protocol/workspace-snapshot.js'

export type { WorkspaceSnapshot }

export interface WorkspaceInspector {
  snapshot(sessionId: string): Promise<WorkspaceSnapshot>
  /** Lets go of what is kept for a deleted session (the text its next diffs would be taken against). */
  forget?(sessionId: string): void
}

/**
 * The changes from `before` to `after`, by path. A created or modified file carries the diff of its text that
 * `after` holds, unless its path is in `shownByTool` (a file tool's result already showed that change).
 */
export function diffSnapshots(
  before: WorkspaceSnapshot,
  after: WorkspaceSnapshot,
  shownByTool: ReadonlySet<string> = new Set(),
): FileChangeData[] {
  const changes: FileChangeData[] = []
  const changed = (path: string, action: 'created' | 'modified') => {
    const diff = shownByTool.has(path) ? undefined : after.diffs.get(path)
    changes.push({ path, action, ...diff })
  }
  for (const [path, print] of after.files) {
    const old = before.files.get(path)
    if (old === undefined) changed(path, 'created')
    else if (old !== print) changed(path, 'modified')
  }
  for (const path of before.files.keys())
    if (!after.files.has(path)) changes.push({ path, action: 'deleted' })
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

const LABELS = { created: 'Created', modified: 'Modified', deleted: 'Deleted' } as const

/** The `file_change` events of `changes`, and the session's file list (`sessionFiles`) after them. */
export function fileChangeEvents(
  changes: readonly FileChangeData[],
  sessionFiles: readonly string[],
): { events: NewEvent[]; sessionFiles: string[] } {
  const files = new Set(sessionFiles)
  const events = changes.map((change): NewEvent => {
    if (change.action === 'deleted') files.delete(change.path)
    else files.add(change.path)
    return { type: 'file_change', content: `${LABELS[change.action]}: ${change.path}`, data: change }
  })
  return { events, sessionFiles: [...files].sort() }
}

/**
 * The paths whose change a file tool's card shows since they were last taken: its result's `patch`, or a
 * Write's content (Claude Code reports no hunks for a new file; the card shows its content as added lines).
 */
export class ToolShownPaths {
  private readonly tools = new Map<string, { name: string; path: string }>()
  private shown = new Set<string>()

  /** Notes a tool's file (`tool_use`) and whether its result showed the change (`tool_result`). */
  note(event: NewEvent): void {
    if (event.type === 'tool_use') {
      const use = ToolUseData.safeParse(event.data)
      if (use.success && use.data.path !== undefined)
        this.tools.set(use.data.id, { name: use.data.name, path: use.data.path })
    } else if (event.type === 'tool_result') {
      const result = ToolResultData.safeParse(event.data)
      if (!result.success) return
      const tool = this.tools.get(result.data.toolUseId)
      const shows = result.data.patch !== undefined || (tool?.name === 'Write' && !result.data.isError)
      if (tool !== undefined && shows) this.shown.add(tool.path)
    }
  }

  /** The paths noted since the last call. */
  take(): ReadonlySet<string> {
    const shown = this.shown
    this.shown = new Set()
    return shown
  }
}
