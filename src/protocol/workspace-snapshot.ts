/**
 * A session workspace's files as the agent compares them before and after a tool call, made by whatever can
 * see the workspace (the host's file system on Node, the container itself where the workspace lives inside
 * it). `files`: path (relative to the workspace, `/`-separated) -> a fingerprint that changes when the file
 * does. `diffs`: for each file created or modified since the same side's previous snapshot, what became of
 * its text (that side keeps the text of small files between snapshots, within a budget).
 */
import { z } from 'zod'
import { FileDiff } from './events.js'

export interface WorkspaceSnapshot {
  files: ReadonlyMap<string, string>
  diffs: ReadonlyMap<string, FileDiff>
}

export const emptyWorkspaceSnapshot = (): WorkspaceSnapshot => ({ files: new Map(), diffs: new Map() })

/** The container's `GET /workspace/snapshot` answer (a Map does not survive JSON). */
export const WorkspaceSnapshotBody = z.object({
  files: z.record(z.string(), z.string()),
  diffs: z.record(z.string(), FileDiff).optional(),
})
export type WorkspaceSnapshotBody = z.infer<typeof WorkspaceSnapshotBody>

export function snapshotBody(snapshot: WorkspaceSnapshot): WorkspaceSnapshotBody {
  return { files: Object.fromEntries(snapshot.files), diffs: Object.fromEntries(snapshot.diffs) }
}

export function snapshotFromBody(body: WorkspaceSnapshotBody): WorkspaceSnapshot {
  return { files: new Map(Object.entries(body.files)), diffs: new Map(Object.entries(body.diffs ?? {})) }
}
