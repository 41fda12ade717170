/**
 * One session workspace watched from snapshot to snapshot: each snapshot fingerprints the files and says what
 * became of the text of each file created or modified since the previous one. To diff, the tracker keeps the
 * text of the small text files as of its last snapshot, within a budget of bytes and files: past it, the
 * files changed longest ago are let go (their next change carries `noPatch: 'not_kept'`). The Node host keeps
 * one per session, the container server one for its workspace: the same code on both hosts.
 */
import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import type { FileDiff } from '../protocol/events.js'
import { PATCH_LINES } from '../protocol/patch-bounds.js'
import type { WorkspaceSnapshot } from '../protocol/workspace-snapshot.js'
import { MAX_DIFF_FILE_BYTES, textDiff, textOf } from './text-diff.js'
import { workspaceFile } from './workspace-files.js'
import { snapshotDirectory } from './workspace-snapshot.js'

type FileText = { text: string; bytes: number } | { noPatch: 'binary' | 'too_large' }

/** A workspace file's text, refusing anything that resolves outside the workspace; undefined if unreadable. */
async function readText(root: string, path: string): Promise<FileText | undefined> {
  try {
    const { real, size } = await workspaceFile(root, path)
    if (size > MAX_DIFF_FILE_BYTES) return { noPatch: 'too_large' }
    const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW)
    try {
      const info = await handle.stat()
      if (!info.isFile()) return undefined
      if (info.size > MAX_DIFF_FILE_BYTES) return { noPatch: 'too_large' }
      const buffer = Buffer.alloc(info.size)
      const { bytesRead } = await handle.read(buffer, 0, info.size, 0)
      const text = textOf(buffer.subarray(0, bytesRead))
      return text === undefined ? { noPatch: 'binary' } : { text, bytes: bytesRead }
    } finally {
      await handle.close()
    }
  } catch {
    return undefined
  }
}

export interface TrackerLimits {
  /** The most text kept between snapshots, in bytes. */
  keptBytes: number
  /** The most files whose text is kept (a first snapshot reads no more). */
  keptFiles: number
  /**
   * The most diff lines one snapshot makes over all its files (a script that writes a thousand files must not
   * fill the event log with their contents); the files past it get `noPatch: 'too_many'`.
   */
  diffLines: number
}

export const TRACKER_LIMITS: TrackerLimits = {
  keptBytes: 8 * 1024 * 1024,
  keptFiles: 5000,
  diffLines: 5 * PATCH_LINES,
}

export class WorkspaceTracker {
  private prints: ReadonlyMap<string, string> | undefined
  /** Kept text by path, the longest unchanged first. */
  private readonly texts = new Map<string, { text: string; bytes: number }>()
  private keptBytes = 0
  private readonly limits: TrackerLimits

  constructor(
    private readonly root: string,
    limits: Partial<TrackerLimits> = {},
  ) {
    this.limits = { ...TRACKER_LIMITS, ...limits }
  }

  /** The workspace now; the first snapshot only sets the baseline, so its `diffs` is empty. */
  async snapshot(): Promise<WorkspaceSnapshot> {
    const files = await snapshotDirectory(this.root)
    const previous = this.prints
    this.prints = files
    const diffs = new Map<string, FileDiff>()
    for (const path of [...this.texts.keys()]) if (!files.has(path)) this.forget(path)
    // Texts are replaced once every diff is made: keeping one may let go of another still to be diffed.
    const read = new Map<string, FileText | undefined>()
    let diffLines = 0
    for (const [path, print] of files) {
      const old = previous?.get(path)
      if (old === print) continue
      if (previous === undefined) {
        // The baseline diffs nothing, so it keeps as it reads, and reads no more than it can keep.
        const now = this.full() ? undefined : await readText(this.root, path)
        if (now !== undefined && 'text' in now) this.keep(path, now)
        continue
      }
      if (diffLines >= this.limits.diffLines) {
        read.set(path, undefined)
        diffs.set(path, { noPatch: 'too_many' })
        continue
      }
      const now = await readText(this.root, path)
      read.set(path, now)
      if (now === undefined) continue
      const before = this.texts.get(path)
      if ('noPatch' in now) diffs.set(path, { noPatch: now.noPatch })
      else if (old !== undefined && before === undefined) diffs.set(path, { noPatch: 'not_kept' })
      else {
        const diff = textDiff(before?.text ?? '', now.text)
        for (const hunk of diff.patch ?? []) diffLines += hunk.lines.length
        diffs.set(path, diff)
      }
    }
    for (const [path, now] of read) {
      this.forget(path)
      if (now !== undefined && 'text' in now) this.keep(path, now)
    }
    return { files, diffs }
  }

  private full(): boolean {
    return this.keptBytes >= this.limits.keptBytes || this.texts.size >= this.limits.keptFiles
  }

  private keep(path: string, text: { text: string; bytes: number }): void {
    if (text.bytes > this.limits.keptBytes) return
    this.texts.set(path, text)
    this.keptBytes += text.bytes
    for (const [oldest] of this.texts) {
      if (this.keptBytes <= this.limits.keptBytes && this.texts.size <= this.limits.keptFiles) break
      this.forget(oldest)
    }
  }

  private forget(path: string): void {
    const kept = this.texts.get(path)
    if (kept === undefined) return
    this.texts.delete(path)
    this.keptBytes -= kept.bytes
  }
}

/**
 * The agent's workspace inspector on the host's file system: one folder per session, a tracker for each of
 * the `maxTracked` sessions snapshotted last (another session's next snapshot is a new baseline).
 */
export class DirectoryWorkspaceInspector {
  private readonly trackers = new Map<string, WorkspaceTracker>()

  constructor(
    private readonly workspaceOf: (sessionId: string) => string,
    private readonly maxTracked = 8,
  ) {}

  snapshot(sessionId: string): Promise<WorkspaceSnapshot> {
    const tracker = this.trackers.get(sessionId) ?? new WorkspaceTracker(this.workspaceOf(sessionId))
    this.trackers.delete(sessionId)
    this.trackers.set(sessionId, tracker)
    for (const [id] of this.trackers) {
      if (this.trackers.size <= this.maxTracked) break
      this.trackers.delete(id)
    }
    return tracker.snapshot()
  }

  forget(sessionId: string): void {
    this.trackers.delete(sessionId)
  }
}
