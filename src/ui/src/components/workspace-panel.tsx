/**
 * The session's workspace: a file tree (changed files marked) and a viewer with highlighting; files are
 * uploaded with the button or by dropping them on the panel, and downloaded one by one or all as a zip.
 */
import { useMemo, useRef, useState } from 'preact/hooks'
import { MAX_UPLOAD_BYTES } from '../../../protocol/workspace-transfers'
import {
  ApiError,
  downloadFile,
  downloadWorkspace,
  type FileContent,
  uploadFile,
  type WorkspaceFile,
} from '../api'
import type { FileAction } from '../conversation'
import { type FileEdit, noPatchNote } from '../file-history'
import { bytes, errorText } from '../format'
import { highlightCode, languageForPath } from '../highlight'
import { CopyButton } from './copy-button'
import { PatchDiff } from './diff-view'
import { Icon } from './icons'

interface Dir {
  dirs: Map<string, Dir>
  files: WorkspaceFile[]
}

function buildTree(files: WorkspaceFile[]): Dir {
  const root: Dir = { dirs: new Map(), files: [] }
  for (const f of files) {
    const parts = f.path.split('/')
    let dir = root
    for (const part of parts.slice(0, -1)) {
      let next = dir.dirs.get(part)
      if (!next) {
        next = { dirs: new Map(), files: [] }
        dir.dirs.set(part, next)
      }
      dir = next
    }
    dir.files.push(f)
  }
  return root
}

const markLabel: Record<FileAction, string> = { created: 'new', modified: 'changed', deleted: 'deleted' }

function TreeDir(props: {
  dir: Dir
  changed: Map<string, FileAction>
  selected: string | undefined
  onOpen(path: string): void
}) {
  const dirs = [...props.dir.dirs.entries()].sort(([a], [b]) => a.localeCompare(b))
  const files = [...props.dir.files].sort((a, b) => a.path.localeCompare(b.path))
  return (
    <ul class="tree">
      {dirs.map(([name, dir]) => (
        <li key={`d:${name}`}>
          <details open>
            <summary class="tree-dir">{name}/</summary>
            <TreeDir dir={dir} changed={props.changed} selected={props.selected} onOpen={props.onOpen} />
          </details>
        </li>
      ))}
      {files.map((f) => {
        const mark = props.changed.get(f.path)
        return (
          <li key={f.path}>
            <button
              type="button"
              class={`tree-file ${props.selected === f.path ? 'selected' : ''} ${mark ? `changed-${mark}` : ''}`}
              aria-current={props.selected === f.path ? 'true' : undefined}
              onClick={() => props.onOpen(f.path)}
              title={`${f.path} · ${bytes(f.size)}`}
            >
              <span class="tree-name">{f.path.split('/').pop()}</span>
              {mark && <span class={`mark mark-${mark}`}>{markLabel[mark]}</span>}
            </button>
          </li>
        )
      })}
    </ul>
  )
}

/** What the latest turn that changed the file did to it, change by change (file tools' and commands'). */
function Changes({ edits, path }: { edits: FileEdit[]; path: string }) {
  return (
    <div class="viewer-changes" data-testid="viewer-changes">
      {edits.map((edit, i) => {
        const note = `${edit.tool}${edits.length > 1 ? ` ${i + 1} of ${edits.length}` : ''}`
        return edit.noPatch !== undefined ? (
          <p key={i} class="muted viewer-no-diff">
            {note} · {noPatchNote(edit.noPatch)}
          </p>
        ) : (
          <PatchDiff
            key={i}
            hunks={edit.hunks}
            path={path}
            note={`${note}${edit.clipped ? ' · cut short' : ''}`}
          />
        )
      })}
    </div>
  )
}

function Viewer({
  file,
  error,
  edits,
  onClose,
  onDownload,
}: {
  file: FileContent | undefined
  error?: string
  edits: FileEdit[]
  onClose(): void
  onDownload(path: string): void
}) {
  // A file the turn only created (or changed without a diff) reads best as its content; one it changed, as
  // its changes.
  const [view, setView] = useState<'changes' | 'content'>(() =>
    edits.some((e) => !e.created && e.noPatch === undefined) ? 'changes' : 'content',
  )
  const showChanges = view === 'changes' && edits.length > 0 && file !== undefined
  const html = useMemo(
    () => (file && !file.binary ? highlightCode(file.content, languageForPath(file.path)) : ''),
    [file],
  )
  if (!file && !error) return <p class="muted viewer-loading">Loading…</p>
  return (
    <section class="viewer" aria-label={file ? `File ${file.path}` : 'File'}>
      <header class="viewer-head">
        <span class="viewer-path" data-testid="viewer-path">
          {file?.path}
        </span>
        {file && <span class="muted">{bytes(file.size)}</span>}
        {file && !file.binary && !file.truncated && (
          <CopyButton text={file.content} what="the file" iconOnly />
        )}
        {file && (
          <button
            type="button"
            class="icon-btn"
            aria-label={`Download ${file.path}`}
            title="Download"
            onClick={() => onDownload(file.path)}
          >
            <Icon name="download" size={14} />
          </button>
        )}
        {edits.length > 0 && (
          <button
            type="button"
            class="link-btn"
            aria-pressed={showChanges}
            onClick={() => setView(showChanges ? 'content' : 'changes')}
            title="The diffs of the last turn that changed this file, or its content"
          >
            {showChanges ? 'Content' : 'Changes'}
          </button>
        )}
        <button type="button" class="icon-btn" aria-label="Close file" onClick={onClose}>
          <Icon name="close" size={14} />
        </button>
      </header>
      {error ? (
        <p class="error-block">{error}</p>
      ) : showChanges ? (
        <Changes edits={edits} path={file.path} />
      ) : file?.binary ? (
        <p class="muted">Binary file, not shown.</p>
      ) : (
        <pre class="code viewer-code" data-testid="viewer-code">
          <code class="hljs" dangerouslySetInnerHTML={{ __html: html }} />
        </pre>
      )}
      {file?.truncated && <p class="muted">Only the beginning of this file is shown.</p>}
    </section>
  )
}

/** Uploads, downloads and what became of the last one, for the panel's status line. */
function useTransfers(sessionId: string, onUploaded: (paths: string[]) => void) {
  const [status, setStatus] = useState<{ text: string; error: boolean } | undefined>(undefined)
  const run = async (work: () => Promise<string>) => {
    try {
      setStatus({ text: await work(), error: false })
    } catch (e) {
      setStatus({ text: errorText(e), error: true })
    }
  }
  return {
    status,
    upload: (files: File[]) =>
      run(async () => {
        const large = files.find((f) => f.size > MAX_UPLOAD_BYTES)
        if (large !== undefined)
          throw new Error(
            `uploads are limited to ${MAX_UPLOAD_BYTES / 1024 / 1024} MB; ${large.name} is ${bytes(large.size)}`,
          )
        const kept: string[] = []
        for (const [i, f] of files.entries()) {
          setStatus({ text: `Uploading ${f.name} (${i + 1} of ${files.length})…`, error: false })
          try {
            await uploadFile(sessionId, f.name, f)
          } catch (e) {
            if (!(e instanceof ApiError && e.status === 409)) throw e
            // Never replace what is there (the agent's work, maybe) without asking.
            if (confirm(`${f.name} is already in the workspace. Replace it?`))
              await uploadFile(sessionId, f.name, f, true)
            else kept.push(f.name)
          }
        }
        onUploaded(files.map((f) => f.name).filter((name) => !kept.includes(name)))
        const done = files.length - kept.length
        const uploaded = done === 1 ? 'Uploaded 1 file' : `Uploaded ${done} files`
        return kept.length === 0 ? uploaded : `${uploaded}; kept ${kept.join(', ')} as it was`
      }),
    download: (path: string) => run(() => downloadFile(sessionId, path).then(() => `Downloaded ${path}`)),
    downloadAll: () =>
      run(() => downloadWorkspace(sessionId).then(() => 'Downloaded the workspace as a zip')),
  }
}

export function WorkspacePanel(props: {
  sessionId: string
  /** The session has started (its workspace can take uploads). */
  started: boolean
  files: WorkspaceFile[] | undefined
  error: string | undefined
  changed: Map<string, FileAction>
  openPath: string | undefined
  openFile: FileContent | undefined
  openError: string | undefined
  /** The latest turn's edits of the open file. */
  openEdits: FileEdit[]
  onOpen(path: string): void
  onClose(): void
  onRefresh(): void
  /** Files were written into the workspace (an open one shows its new content). */
  onUploaded(paths: string[]): void
}) {
  const tree = useMemo(() => buildTree(props.files ?? []), [props.files])
  const transfers = useTransfers(props.sessionId, props.onUploaded)
  const picker = useRef<HTMLInputElement>(null)
  const [dropping, setDropping] = useState(false)
  const notStarted = 'Send a first message to start the session, then upload'
  return (
    <aside
      class={`workspace${dropping ? ' dropping' : ''}`}
      aria-label="Workspace"
      onDragOver={(e) => {
        if (!props.started || !e.dataTransfer?.types.includes('Files')) return
        e.preventDefault()
        setDropping(true)
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={(e) => {
        setDropping(false)
        if (!props.started || !e.dataTransfer?.files.length) return
        e.preventDefault()
        void transfers.upload([...e.dataTransfer.files])
      }}
    >
      <div class="workspace-head">
        <h2>Workspace</h2>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          data-testid="upload-input"
          onChange={(e) => {
            const files = [...(e.currentTarget.files ?? [])]
            e.currentTarget.value = ''
            if (files.length > 0) void transfers.upload(files)
          }}
        />
        <button
          type="button"
          class="icon-btn"
          aria-label="Upload files"
          title={
            props.started ? 'Upload files into the workspace (or drop them here), 25 MB each' : notStarted
          }
          disabled={!props.started}
          onClick={() => picker.current?.click()}
        >
          <Icon name="upload" size={14} />
        </button>
        <button
          type="button"
          class="icon-btn"
          aria-label="Download the workspace as a zip"
          title="Download the workspace as a zip"
          disabled={!props.started}
          onClick={() => void transfers.downloadAll()}
        >
          <Icon name="archive" size={14} />
        </button>
        <button type="button" class="icon-btn" aria-label="Refresh files" onClick={props.onRefresh}>
          <Icon name="refresh" size={14} />
        </button>
      </div>
      {transfers.status && (
        <p
          class={`transfer-status ${transfers.status.error ? 'error' : 'muted'}`}
          role={transfers.status.error ? 'alert' : 'status'}
          data-testid="transfer-status"
        >
          {transfers.status.text}
        </p>
      )}
      <div class="workspace-body">
        <div class="tree-wrap">
          {props.error ? (
            <p class="muted">{props.error}</p>
          ) : props.files === undefined ? (
            <p class="muted">Loading…</p>
          ) : props.files.length === 0 ? (
            <p class="muted">No files yet.</p>
          ) : (
            <TreeDir dir={tree} changed={props.changed} selected={props.openPath} onOpen={props.onOpen} />
          )}
        </div>
        {props.openPath !== undefined && (
          <Viewer
            key={props.openPath}
            file={props.openFile}
            error={props.openError}
            edits={props.openEdits}
            onClose={props.onClose}
            onDownload={(path) => void transfers.download(path)}
          />
        )}
      </div>
    </aside>
  )
}
