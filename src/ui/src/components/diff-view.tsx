/**
 * A diff, unified or side by side, with line numbers and the file's syntax highlighting per line. Rows come
 * from unified-diff hunks (what a file tool reported) or from two texts, diffed by jsdiff, which loads with the
 * first such diff shown (most sessions never need it).
 */
import { useEffect, useMemo, useState } from 'preact/hooks'
import type { PatchHunk } from '../conversation'
import { type DiffRow, diffStat, diffText, hunkRows, numberLines, type Side, splitRows } from '../diff-rows'
import { highlightCode, languageForPath } from '../highlight'
import { CopyButton } from './copy-button'

type LineDiff = typeof import('../line-diff')
let lineDiffModule: Promise<LineDiff> | undefined

/** The side-by-side choice is the person's, kept for every diff on this browser. */
const SPLIT_KEY = 'agent-router:diff-split'
const splitListeners = new Set<(v: boolean) => void>()
function useSplit(): [boolean, (v: boolean) => void] {
  const [split, setSplit] = useState(() => localStorage.getItem(SPLIT_KEY) === '1')
  useEffect(() => {
    splitListeners.add(setSplit)
    return () => void splitListeners.delete(setSplit)
  }, [])
  return [
    split,
    (v) => {
      localStorage.setItem(SPLIT_KEY, v ? '1' : '0')
      for (const l of splitListeners) l(v)
    },
  ]
}

function Code({ text, language }: { text: string; language: string | undefined }) {
  const html = useMemo(() => highlightCode(text, language), [text, language])
  return <code class="hljs" dangerouslySetInnerHTML={{ __html: html }} />
}

const mark = { add: '+', del: '-', same: ' ' } as const
const spoken = { add: 'added: ', del: 'removed: ', same: '' } as const

function Gap({ row }: { row: { count?: number } }) {
  return (
    <div class="diff-row diff-gap">
      {row.count === undefined ? '⋯' : `⋯ ${row.count} unchanged line${row.count === 1 ? '' : 's'}`}
    </div>
  )
}

function Unified({ rows, language }: { rows: DiffRow[]; language: string | undefined }) {
  return (
    <>
      {rows.map((row, i) =>
        row.kind === 'gap' ? (
          <Gap key={i} row={row} />
        ) : (
          <div key={i} class={`diff-row diff-${row.kind}`}>
            <span class="diff-no" aria-hidden="true">
              {row.oldNo ?? ''}
            </span>
            <span class="diff-no" aria-hidden="true">
              {row.newNo ?? ''}
            </span>
            <span class="diff-mark" aria-hidden="true">
              {mark[row.kind]}
            </span>
            <span class="visually-hidden">{spoken[row.kind]}</span>
            <Code text={row.text} language={language} />
          </div>
        ),
      )}
    </>
  )
}

function Half({ side, language }: { side: Side; language: string | undefined }) {
  if (side === undefined) return <div class="diff-half diff-empty" />
  return (
    <div class={`diff-half diff-${side.kind}`}>
      <span class="diff-no" aria-hidden="true">
        {(side.kind === 'add' ? side.newNo : side.oldNo) ?? ''}
      </span>
      <span class="visually-hidden">{spoken[side.kind]}</span>
      <Code text={side.text} language={language} />
    </div>
  )
}

function Split({ rows, language }: { rows: DiffRow[]; language: string | undefined }) {
  return (
    <>
      {splitRows(rows).map((pair, i) =>
        'kind' in pair ? (
          <Gap key={i} row={pair} />
        ) : (
          <div key={i} class="diff-row diff-pair">
            <Half side={pair[0]} language={language} />
            <Half side={pair[1]} language={language} />
          </div>
        ),
      )}
    </>
  )
}

/** A diff of rows already made. `path` picks the highlighting. */
export function DiffRows({
  rows,
  path,
  note,
  testId = 'diff',
}: {
  rows: DiffRow[]
  path?: string
  note?: string
  testId?: string
}) {
  const [split, setSplit] = useSplit()
  const language = path === undefined ? undefined : languageForPath(path)
  const stat = diffStat(rows)
  const numbered = rows.some((r) => r.kind !== 'gap' && (r.oldNo !== undefined || r.newNo !== undefined))
  return (
    <div
      class={`diff ${split ? 'diff-split' : 'diff-unified'}${numbered ? '' : ' diff-unnumbered'}`}
      data-testid={testId}
    >
      <div class="diff-bar">
        <span class="diff-stat">
          <span class="diff-added">+{stat.added}</span> <span class="diff-removed">−{stat.removed}</span>
          {note !== undefined && <span class="muted"> · {note}</span>}
        </span>
        <button
          type="button"
          class="link-btn"
          aria-pressed={split}
          onClick={() => setSplit(!split)}
          title="Show the old and new lines side by side, or one above the other"
        >
          {split ? 'Unified' : 'Side by side'}
        </button>
        <CopyButton text={() => diffText(rows)} what="the diff" />
      </div>
      <div class="diff-body">
        {split ? <Split rows={rows} language={language} /> : <Unified rows={rows} language={language} />}
      </div>
    </div>
  )
}

/** The diff of unified-diff hunks. */
export function PatchDiff(props: { hunks: PatchHunk[]; path?: string; note?: string; testId?: string }) {
  const rows = useMemo(() => hunkRows(props.hunks), [props.hunks])
  return <DiffRows rows={rows} path={props.path} note={props.note} testId={props.testId} />
}

/**
 * The diff of two texts, long unchanged runs folded. `numbered: false` for snippets (an Edit's old and new
 * string), whose line numbers would not be the file's.
 */
export function TextDiff(props: {
  before: string
  after: string
  numbered?: boolean
  path?: string
  note?: string
  testId?: string
}) {
  const [diff, setDiff] = useState<LineDiff>()
  useEffect(() => {
    let live = true
    lineDiffModule ??= import('../line-diff')
    lineDiffModule.then((loaded) => live && setDiff(loaded))
    return () => {
      live = false
    }
  }, [])
  const numbered = props.numbered !== false
  const rows = useMemo(() => {
    if (diff === undefined) return undefined
    const lines = diff.withContext(diff.lineDiff(props.before, props.after))
    return numbered ? numberLines(lines) : lines
  }, [diff, props.before, props.after, numbered])
  if (rows === undefined) return <p class="muted">Loading the diff…</p>
  return <DiffRows rows={rows} path={props.path} note={props.note} testId={props.testId} />
}
