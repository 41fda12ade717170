/**
 * Write, Edit and MultiEdit as the diff they made: the hunks Claude Code reported with the result, or, before
 * the result (or for a call it refused), the diff the input describes.
 */
import type { ToolCall } from '../../conversation'
import { inputText } from '../../format'
import { PatchDiff, TextDiff } from '../diff-view'

function editsOf(call: ToolCall): unknown[] {
  const edits = (call.input as { edits?: unknown } | null)?.edits
  return call.name === 'MultiEdit' && Array.isArray(edits) ? edits : [call.input]
}

export function FileEditView({ call }: { call: ToolCall }) {
  const path = inputText(call.input, 'file_path')
  const clipped = call.patchClipped ? 'only the first lines of the change are shown' : undefined
  const failed = call.state === 'error' && call.result !== undefined && (
    <pre class="tool-error-text">{call.result}</pre>
  )
  // Until it ran, a permission prompt (when one is asked) shows the change it would make.
  if (call.state === 'running') return <p class="muted">Making the change…</p>
  if (call.patch !== undefined)
    return (
      <>
        <PatchDiff hunks={call.patch} path={path} note={clipped} testId="tool-diff" />
        {failed}
      </>
    )
  if (call.name === 'Write') {
    // A new file has no hunks: its diff is its whole content, added.
    return (
      <>
        <TextDiff
          before=""
          after={inputText(call.input, 'content') ?? ''}
          path={path}
          note={call.state === 'done' ? 'New file' : undefined}
          testId="tool-diff"
        />
        {failed}
      </>
    )
  }
  return (
    <>
      {editsOf(call).map((edit, i) => (
        <TextDiff
          key={i}
          before={inputText(edit, 'old_string') ?? ''}
          after={inputText(edit, 'new_string') ?? ''}
          numbered={false}
          path={path}
          testId="tool-diff"
        />
      ))}
      {failed}
    </>
  )
}
