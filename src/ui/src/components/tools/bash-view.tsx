/**
 * A Bash call as a terminal: the command, its output with ANSI colours, and how it ended (exit status, or
 * still running). Claude Code reports a failed command as an error whose text starts "Exit code N".
 */
import { useEffect, useState } from 'preact/hooks'
import type { ToolCall } from '../../conversation'
import { inputText } from '../../format'
import { CopyButton } from '../copy-button'

type Spans = typeof import('../../terminal-spans')
const ESCAPES = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g')
let spansModule: Promise<Spans> | undefined

/** The exit status and the output without Claude Code's "Exit code N" line. */
export function commandOutcome(call: ToolCall): { exit?: number; output: string } {
  const text = call.result ?? ''
  if (call.state === 'done') return { exit: 0, output: text }
  const m = /^Exit code (\d+)\n?/.exec(text)
  if (call.state === 'error' && m) return { exit: Number(m[1]), output: text.slice(m[0].length) }
  return { output: text }
}

function Output({ text }: { text: string }) {
  const [spans, setSpans] = useState<Spans>()
  useEffect(() => {
    let live = true
    spansModule ??= import('../../terminal-spans')
    spansModule.then((m) => live && setSpans(m))
    return () => {
      live = false
    }
  }, [])
  // Until the parser has loaded, the text without its escape sequences.
  if (spans === undefined) return <>{text.replace(ESCAPES, '')}</>
  return (
    <>
      {spans.terminalSpans(text).map((s, i) =>
        s.classes.length === 0 && s.color === undefined && s.background === undefined ? (
          s.text
        ) : (
          <span
            key={i}
            class={s.classes.join(' ') || undefined}
            style={{ color: s.color, background: s.background }}
          >
            {s.text}
          </span>
        ),
      )}
    </>
  )
}

export function BashView({ call }: { call: ToolCall }) {
  const command = inputText(call.input, 'command') ?? ''
  const description = inputText(call.input, 'description')
  const { exit, output } = commandOutcome(call)
  const status =
    call.state === 'running'
      ? 'running…'
      : call.state === 'stopped'
        ? 'stopped'
        : exit !== undefined
          ? `exit ${exit}`
          : 'failed'
  return (
    <div class="terminal" data-testid="terminal">
      <div class="term-head">
        <span class="term-cmd">
          <span class="term-prompt" aria-hidden="true">
            ${' '}
          </span>
          {command}
        </span>
        <CopyButton text={command} what="the command" />
      </div>
      {output !== '' && (
        <pre class="term-out" data-testid="terminal-output">
          <Output text={output} />
        </pre>
      )}
      <div class="term-foot">
        <span
          class={`term-exit ${exit === 0 ? 'ok' : call.state === 'running' ? '' : 'bad'}`}
          data-exit={exit}
        >
          {status}
        </span>
        {description !== undefined && <span class="term-desc">{description}</span>}
        {output !== '' && <CopyButton text={output} what="the output" />}
      </div>
    </div>
  )
}
