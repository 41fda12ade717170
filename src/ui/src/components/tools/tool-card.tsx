/**
 * A tool call as a card: a one-line header (state, tool, what it works on, how it went) and a body drawn by
 * the tool's own view: Bash a terminal, Write/Edit/MultiEdit a diff, TodoWrite or TaskCreate/TaskUpdate a
 * checklist, Task the subagent's steps nested; Read, Grep, Glob, WebFetch, WebSearch and ToolSearch stay one
 * closed line with their result inside. Any other tool shows its input and result as JSON, as before. Views
 * are entries of one record, keyed by name.
 */
import type { ComponentType } from 'preact'
import type { ToolCall } from '../../conversation'
import { compactJson, inputText, prettyJson } from '../../format'
import { CopyButton } from '../copy-button'
import { BashView } from './bash-view'
import { FileEditView } from './file-edit-view'
import { TaskView } from './task-view'
import { TodoView, todoSummary } from './todo-view'

interface ToolView {
  Body: ComponentType<{ call: ToolCall }>
  /** Open unless the person closes it (a diff, a terminal); compact views stay closed. */
  open: boolean
  /** The header's text after the tool's name, when not the server's summary. */
  detail?(call: ToolCall): string | undefined
  /** What the header calls the card, when not the tool's name. */
  label?: string
}

function ResultText({ call }: { call: ToolCall }) {
  if (call.result === undefined)
    return call.state === 'running' ? null : (
      <p class="muted">{call.state === 'error' ? 'The tool failed.' : 'No output.'}</p>
    )
  return (
    <div class="tool-output">
      <CopyButton text={call.result} what="the output" />
      <pre class={call.state === 'error' ? 'tool-error-text' : undefined}>{call.result}</pre>
    </div>
  )
}

function JsonBody({ call }: { call: ToolCall }) {
  return (
    <>
      <h4>Input</h4>
      <div class="tool-output">
        <CopyButton text={() => prettyJson(call.input)} what="the input" />
        <pre>{prettyJson(call.input)}</pre>
      </div>
      {call.result !== undefined && <h4>{call.state === 'error' ? 'Error' : 'Result'}</h4>}
      <ResultText call={call} />
    </>
  )
}

function lineCount(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined
  const n = text.split('\n').length
  return `${n} line${n === 1 ? '' : 's'}`
}

const compact: ToolView = { Body: ResultText, open: false }
/** One card for the turn's checklist, whichever of its tools made or changed it. */
const checklist: ToolView = { Body: TodoView, open: true, detail: todoSummary, label: 'Checklist' }

const views: Record<string, ToolView> = {
  Bash: { Body: BashView, open: true },
  Write: { Body: FileEditView, open: true },
  Edit: { Body: FileEditView, open: true },
  MultiEdit: { Body: FileEditView, open: true },
  TodoWrite: checklist,
  TaskCreate: checklist,
  TaskUpdate: checklist,
  Task: { Body: (p) => <TaskView call={p.call} Step={ToolCard} />, open: true },
  Agent: { Body: (p) => <TaskView call={p.call} Step={ToolCard} />, open: true },
  Read: compact,
  Grep: compact,
  Glob: compact,
  LS: compact,
  WebFetch: compact,
  WebSearch: compact,
  ToolSearch: compact,
}

const stateLabel: Record<ToolCall['state'], string> = {
  running: 'running',
  done: 'done',
  error: 'failed',
  stopped: 'stopped',
}

/** The header's text after the tool's name: "Bash: ls" reads "ls", not ": ls". */
function headerDetail(call: ToolCall, view: ToolView | undefined): string {
  const own = view?.detail?.(call)
  if (own !== undefined) return own
  if (call.name === 'Task' || call.name === 'Agent')
    return inputText(call.input, 'description') ?? call.summary
  const summary = call.summary || `${call.name} ${compactJson(call.input, 60)}`
  return summary.startsWith(call.name) ? summary.slice(call.name.length).replace(/^:?\s*/, '') : summary
}

export function ToolCard({ call }: { call: ToolCall }) {
  const view = views[call.name]
  const Body = view?.Body ?? JsonBody
  const size = view === compact && call.state !== 'running' ? lineCount(call.result) : undefined
  return (
    <details
      class={`tool-card tool-${call.state}${view === compact ? ' tool-compact' : ''}`}
      data-testid="tool-card"
      data-tool={call.name}
      open={view?.open ?? false}
    >
      <summary>
        <span class="tool-icon" aria-hidden="true">
          {call.state === 'running' ? <span class="spinner" /> : call.state === 'error' ? '✕' : '✓'}
        </span>
        <span class="tool-name" title={view?.label === undefined ? undefined : call.name}>
          {view?.label ?? call.name}
        </span>
        <span class="tool-summary">{headerDetail(call, view)}</span>
        {size !== undefined && <span class="tool-size muted">{size}</span>}
        <span class="tool-state">{stateLabel[call.state]}</span>
      </summary>
      <div class="tool-body">
        <Body call={call} />
      </div>
    </details>
  )
}
