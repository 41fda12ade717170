/**
 * A Task (a subagent) as a nested card: what it was asked, its own tool calls as cards inside, and its answer.
 * The step cards are drawn by the caller's component, so a subagent's steps look like the agent's.
 */
import type { ComponentType } from 'preact'
import type { ToolCall } from '../../conversation'
import { inputText } from '../../format'
import { Markdown } from '../markdown-view'

export function TaskView({ call, Step }: { call: ToolCall; Step: ComponentType<{ call: ToolCall }> }) {
  const prompt = inputText(call.input, 'prompt')
  const agent = inputText(call.input, 'subagent_type')
  return (
    <div class="task" data-testid="task">
      {prompt !== undefined && (
        <details class="task-prompt">
          <summary>
            Asked
            {agent !== undefined && (
              <>
                {' '}
                the <strong>{agent}</strong> agent
              </>
            )}
          </summary>
          <p>{prompt}</p>
        </details>
      )}
      {call.children.length > 0 ? (
        <ol class="task-steps" aria-label="Subagent steps">
          {call.children.map((child) => (
            <li key={child.id}>
              <Step call={child} />
            </li>
          ))}
        </ol>
      ) : (
        call.state === 'running' && <p class="muted">Starting…</p>
      )}
      {call.result !== undefined && call.result !== '' && (
        <div class={call.state === 'error' ? 'task-answer tool-error-text' : 'task-answer'}>
          <Markdown text={call.result} />
        </div>
      )}
    </div>
  )
}
