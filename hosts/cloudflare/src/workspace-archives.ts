/**
 * The session's workspace and Claude Code's transcripts kept in R2 while its container sleeps: a Cloudflare
 * container starts on a fresh disk, so after every turn the agent object asks the container server for its
 * `.tar.gz` (`GET /archive`, src/container/workspace/archive-routes.ts) and stores it, and when the container starts
 * again it puts it back (`PUT /archive`) before the next turn runs — so Claude Code resumes its own session
 * and the person's files are where they left them. (cloudflare/sandbox-sdk's backups work the same way: the
 * container makes the archive, the Durable Object moves it to and from R2.)
 *
 * R2, not the object's own storage: a workspace is easily tens of megabytes (a `node_modules`), and R2 takes
 * it as one streamed object, where Durable Object storage caps a value at 2 MB and the object's memory at
 * 128 MB. The archive never passes through memory here: it streams container → R2 and back.
 *
 * One object per session, `sessions/<id>/workspace.tar.gz`, replaced after each turn. When a turn's copy could
 * not be saved (over WORKSPACE_ARCHIVE_LIMIT, or the save was cut off), the last one stays for its files, and a
 * marker says its transcripts are older than the conversation: they are then left out on restore, so Claude Code does not
 * resume a conversation with its latest turns missing; the session's event log carries it over instead.
 */
import { formatByteSize } from '../../../src/config/byte-size.js'
import type { WorkspaceNoticeLine } from '../../../src/protocol/container-lines.js'
import { AppError } from '../../../src/protocol/errors.js'

type Fetch = (request: Request) => Promise<Response>

const ORIGIN = 'http://container'

/** What a stored archive may weigh over its content limit (gzip of incompressible files, tar headers). */
function archiveCeiling(limit: number): number {
  return limit + Math.ceil(limit * 0.05) + 1024 * 1024
}

async function errorMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => '')
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } }
    if (typeof body.error?.message === 'string') return body.error.message
  } catch {
    // not JSON
  }
  return `the container answered ${res.status}: ${text.slice(0, 300)}`
}

function notice(kind: WorkspaceNoticeLine['kind'], message: string): WorkspaceNoticeLine {
  return { type: 'workspace_notice', kind, message }
}

export class WorkspaceArchives {
  constructor(
    private readonly bucket: R2Bucket,
    /** WORKSPACE_ARCHIVE_LIMIT: the most bytes of files kept for a session. */
    private readonly limit: number,
  ) {}

  static key(sessionId: string): string {
    return `sessions/${sessionId}/workspace.tar.gz`
  }

  /** The file list of the saved copy (`GET /workspace/files` as it answered), listed while the container sleeps. */
  private static listKey(sessionId: string): string {
    return `sessions/${sessionId}/workspace-files.json`
  }

  private static staleKey(sessionId: string): string {
    return `sessions/${sessionId}/transcripts-stale`
  }

  /**
   * Stores the container's workspace and transcripts. Undefined when saved; else the notice that tells the
   * person why not (the session's earlier copy, if any, is kept for its files).
   */
  async save(sessionId: string, container: Fetch): Promise<WorkspaceNoticeLine | undefined> {
    // Set first and cleared only once the new copy is stored: a save cut off anywhere (the object evicted, the
    // container gone) leaves the older copy marked, never passed off as the whole conversation.
    const failed = (why: string) =>
      notice(
        'workspace_not_saved',
        `The workspace was not saved for when the container sleeps: ${why}. Until a turn's workspace is saved, ` +
          'a container that sleeps comes back with the files of the last saved turn.',
      )
    try {
      await this.bucket.put(WorkspaceArchives.staleKey(sessionId), '')
    } catch (err) {
      return failed(`R2 did not answer (${(err as Error).message})`)
    }
    let res: Response
    try {
      res = await container(new Request(`${ORIGIN}/archive?maxBytes=${this.limit}`))
    } catch (err) {
      return failed(`the container did not answer (${(err as Error).message})`)
    }
    if (!res.ok) {
      const message = await errorMessage(res)
      return failed(
        res.status === 413 ? `${message}; delete large files, or raise WORKSPACE_ARCHIVE_LIMIT` : message,
      )
    }
    const length = Number(res.headers.get('content-length'))
    if (res.body === null || !Number.isSafeInteger(length) || length <= 0) {
      await res.body?.cancel()
      return failed('the container sent an archive of unknown length')
    }
    if (length > archiveCeiling(this.limit)) {
      await res.body.cancel()
      return failed(`the archive weighs ${formatByteSize(length)}, over what WORKSPACE_ARCHIVE_LIMIT allows`)
    }
    try {
      // R2 takes a stream only when its length is known.
      const sized = new FixedLengthStream(length)
      const [, stored] = await Promise.all([
        res.body.pipeTo(sized.writable),
        this.bucket.put(WorkspaceArchives.key(sessionId), sized.readable, {
          httpMetadata: { contentType: 'application/gzip' },
          customMetadata: {
            files: res.headers.get('x-archive-files') ?? '',
            contentBytes: res.headers.get('x-archive-content-bytes') ?? '',
          },
        }),
      ])
      if (stored === null) return failed('R2 did not store it')
    } catch (err) {
      return failed(`storing it failed (${(err as Error).message})`)
    }
    // Left in place if this fails: the copy's transcripts are then not trusted, which costs a resume, not data.
    await this.bucket.delete(WorkspaceArchives.staleKey(sessionId)).catch(() => {})
    await this.saveList(sessionId, container)
    return undefined
  }

  /** The saved copy's file list, for the file browser while the container sleeps; dropped when it cannot be had. */
  private async saveList(sessionId: string, container: Fetch): Promise<void> {
    try {
      const res = await container(new Request(`${ORIGIN}/workspace/files`))
      if (!res.ok) throw new Error(await errorMessage(res))
      await this.bucket.put(WorkspaceArchives.listKey(sessionId), await res.text(), {
        httpMetadata: { contentType: 'application/json' },
      })
    } catch {
      // A list of another copy would show files that are not there.
      await this.bucket.delete(WorkspaceArchives.listKey(sessionId)).catch(() => {})
    }
  }

  /** The files of the saved copy, as the container listed them when it was saved; [] when there is none. */
  async savedFiles(sessionId: string): Promise<unknown[]> {
    const listed = await this.bucket.get(WorkspaceArchives.listKey(sessionId))
    if (listed === null) return []
    const body = (await listed.json()) as { files?: unknown }
    return Array.isArray(body.files) ? body.files : []
  }

  /**
   * Puts the stored copy back into a container that just started. Undefined when there was none or it was
   * restored; a notice when it cannot be (damaged, over the limit): the turn goes on with what there is.
   * Throws when the container could not take it for a reason that may pass (the turn fails, nothing is lost).
   */
  async restore(sessionId: string, container: Fetch): Promise<WorkspaceNoticeLine | undefined> {
    const stored = await this.bucket.get(WorkspaceArchives.key(sessionId))
    if (stored === null) return undefined
    if (stored.size > archiveCeiling(this.limit)) {
      // Set aside, not dropped: the next turn's save would replace it, and it may be all the person has.
      const aside = `sessions/${sessionId}/workspace-over-limit.tar.gz`
      await this.bucket.put(aside, stored.body, { httpMetadata: stored.httpMetadata })
      await this.bucket.delete(WorkspaceArchives.key(sessionId))
      return notice(
        'workspace_not_restored',
        `The saved workspace (${formatByteSize(stored.size)}) was not restored: it is over WORKSPACE_ARCHIVE_LIMIT ` +
          `(${formatByteSize(this.limit)}). It is kept in the R2 bucket as ${aside}; this turn starts with an ` +
          'empty workspace.',
      )
    }
    const stale = (await this.bucket.head(WorkspaceArchives.staleKey(sessionId))) !== null
    const res = await container(
      new Request(`${ORIGIN}/archive?maxBytes=${this.limit}&transcripts=${stale ? 0 : 1}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/gzip' },
        body: stored.body,
      }),
    )
    if (res.ok) {
      // Read, not cancelled: a cancelled answer of the container's port rejects inside the runtime.
      await res.text()
      return undefined
    }
    const message = await errorMessage(res)
    if (res.status === 400 || res.status === 413)
      return notice(
        'workspace_not_restored',
        `The saved workspace could not be restored (${message}); this turn starts with an empty workspace.`,
      )
    throw new AppError('api_error', `the saved workspace could not be restored: ${message}`, {
      status: 502,
      retryable: true,
    })
  }

  /** Whether the session has a saved copy. */
  async has(sessionId: string): Promise<boolean> {
    return (await this.bucket.head(WorkspaceArchives.key(sessionId))) !== null
  }

  /** Forgets the session's copy (the session was deleted). */
  async remove(sessionId: string): Promise<void> {
    await this.bucket.delete([
      WorkspaceArchives.key(sessionId),
      WorkspaceArchives.listKey(sessionId),
      WorkspaceArchives.staleKey(sessionId),
      `sessions/${sessionId}/workspace-over-limit.tar.gz`,
    ])
  }
}
