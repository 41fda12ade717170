/**
 * The agent's checklist (TodoWrite's list, or the one TaskCreate/TaskUpdate keep); later calls of the turn
 * update the same card.
 */
import type { ToolCall } from '../../conversation'

export interface Todo {
  content: string
  status: 'pending' | 'in_progress' | 'completed'
  activeForm?: string
}

export function todosOf(input: unknown): Todo[] {
  const list = (input as { todos?: unknown } | null)?.todos
  if (!Array.isArray(list)) return []
  return list.flatMap((t): Todo[] => {
    if (typeof t !== 'object' || t === null || typeof t.content !== 'string') return []
    const status = t.status === 'completed' || t.status === 'in_progress' ? t.status : 'pending'
    return [
      { content: t.content, status, activeForm: typeof t.activeForm === 'string' ? t.activeForm : undefined },
    ]
  })
}

/** The call's list: TaskCreate/TaskUpdate carry the rebuilt list, TodoWrite sends it whole. */
const listOf = (call: ToolCall): Todo[] => call.todos ?? todosOf(call.input)

export function todoSummary(call: ToolCall): string {
  const todos = listOf(call)
  const done = todos.filter((t) => t.status === 'completed').length
  const now = todos.find((t) => t.status === 'in_progress')
  return `${done} of ${todos.length} done${now ? ` · ${now.activeForm ?? now.content}` : ''}`
}

const box = { pending: '○', in_progress: '◐', completed: '✓' } as const
const spoken = { pending: 'to do', in_progress: 'in progress', completed: 'done' } as const

export function TodoView({ call }: { call: ToolCall }) {
  return (
    <ul class="todo-list" data-testid="todo-list">
      {listOf(call).map((t, i) => (
        <li key={i} class={`todo todo-${t.status}`} data-status={t.status}>
          <span class="todo-box" aria-hidden="true">
            {box[t.status]}
          </span>
          <span class="visually-hidden">{spoken[t.status]}: </span>
          <span class="todo-text">
            {t.status === 'in_progress' ? (t.activeForm ?? t.content) : t.content}
          </span>
        </li>
      ))}
    </ul>
  )
}
