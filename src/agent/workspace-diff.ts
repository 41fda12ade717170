/**
 * Which files a tool call created, modified or deleted: the agent compares snapshots of the workspace taken
 * before and after (so a file a Bash command wrote counts as much as one the Write tool wrote).
 */
import type { FileChangeData } from '../protocol/events.js'
import type { WorkspaceSnapshot } from '../protocol/workspace-snapshot.js'

export type { WorkspaceSnapshot }

export interface WorkspaceInspector {
  snapshot(sessionId: string): Promise<WorkspaceSnapshot>
}

export function diffSnapshots(before: WorkspaceSnapshot, after: WorkspaceSnapshot): FileChangeData[] {
  const changes: FileChangeData[] = []
  for (const [path, print] of after) {
    const old = before.get(path)
    if (old === undefined) changes.push({ path, action: 'created' })
    else if (old !== print) changes.push({ path, action: 'modified' })
  }
  for (const path of before.keys()) if (!after.has(path)) changes.push({ path, action: 'deleted' })
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}
