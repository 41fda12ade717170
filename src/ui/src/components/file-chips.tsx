/**
 * The files a step of the turn changed, as chips that open the file. A change that carries its diff (a
 * command's, which no tool card shows) has a toggle that opens the diff below the chips.
 */
import { useState } from 'preact/hooks'
import type { FileAction, FileChange } from '../conversation'
import { diffStat, hunkRows } from '../diff-rows'
import { commandLabel, noPatchNote } from '../file-history'
import { PatchDiff } from './diff-view'

const actionMark: Record<FileAction, string> = { created: 'A', modified: 'M', deleted: 'D' }

function DiffToggle({ change, open, onToggle }: { change: FileChange; open: boolean; onToggle(): void }) {
  const stat = diffStat(hunkRows(change.patch ?? []))
  return (
    <button
      type="button"
      class="chip-diff"
      aria-expanded={open}
      onClick={onToggle}
      title={`${open ? 'Hide' : 'Show'} what changed in ${change.path}`}
      data-testid="file-change-toggle"
    >
      <span class="diff-added">+{stat.added}</span> <span class="diff-removed">−{stat.removed}</span>
      <span class="visually-hidden">
        {' '}
        {open ? 'hide' : 'show'} the diff of {change.path}
      </span>
    </button>
  )
}

export function FileChips({ changes, onOpen }: { changes: FileChange[]; onOpen(path: string): void }) {
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set())
  const toggle = (i: number) => {
    const next = new Set(open)
    if (!next.delete(i)) next.add(i)
    setOpen(next)
  }
  return (
    <div class="file-changes">
      <ul class="file-chips" aria-label="Changed files">
        {changes.map((c, i) => (
          <li key={i}>
            <button
              type="button"
              class={`chip chip-${c.action}`}
              disabled={c.action === 'deleted'}
              onClick={() => onOpen(c.path)}
              title={c.action === 'deleted' ? `${c.path} was deleted` : `Open ${c.path}`}
            >
              <span class="chip-mark" aria-hidden="true">
                {actionMark[c.action]}
              </span>
              <span class="visually-hidden">{c.action}:</span>
              {c.path}
            </button>
            {c.patch !== undefined && <DiffToggle change={c} open={open.has(i)} onToggle={() => toggle(i)} />}
            {c.noPatch !== undefined && <span class="chip-note muted">{noPatchNote(c.noPatch)}</span>}
          </li>
        ))}
      </ul>
      {changes.map((c, i) =>
        c.patch !== undefined && open.has(i) ? (
          <PatchDiff
            key={i}
            hunks={c.patch}
            path={c.path}
            note={`${c.path} · ${commandLabel(c).toLowerCase()}${c.patchClipped ? ' · cut short' : ''}`}
            testId="file-change-diff"
          />
        ) : null,
      )}
    </div>
  )
}
