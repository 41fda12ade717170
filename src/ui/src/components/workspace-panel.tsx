/** The session's workspace: a file tree (changed files marked) and a viewer with highlighting. */
import { useMemo } from 'preact/hooks'
import type { FileContent, WorkspaceFile } from '../api'
import type { FileAction } from '../conversation'
import { bytes } from '../format'
import { highlightCode, languageForPath } from '../highlight'
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

function Viewer({
  file,
  error,
  onClose,
}: {
  file: FileContent | undefined
  error?: string
  onClose(): void
}) {
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
        <button type="button" class="icon-btn" aria-label="Close file" onClick={onClose}>
          <Icon name="close" size={14} />
        </button>
      </header>
      {error ? (
        <p class="error-block">{error}</p>
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

export function WorkspacePanel(props: {
  files: WorkspaceFile[] | undefined
  error: string | undefined
  changed: Map<string, FileAction>
  openPath: string | undefined
  openFile: FileContent | undefined
  openError: string | undefined
  onOpen(path: string): void
  onClose(): void
  onRefresh(): void
}) {
  const tree = useMemo(() => buildTree(props.files ?? []), [props.files])
  return (
    <aside class="workspace" aria-label="Workspace">
      <div class="workspace-head">
        <h2>Workspace</h2>
        <button type="button" class="icon-btn" aria-label="Refresh files" onClick={props.onRefresh}>
          <Icon name="refresh" size={14} />
        </button>
      </div>
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
          <Viewer file={props.openFile} error={props.openError} onClose={props.onClose} />
        )}
      </div>
    </aside>
  )
}
