/**
 * The agent's task list when Claude Code keeps it with TaskCreate and TaskUpdate (newer versions; older ones
 * send the whole list with each TodoWrite). A TaskCreate's id comes with its result ("Task #3 created
 * successfully"), so the list is rebuilt from the calls and their results, in order. Pure.
 */
import type { Todo } from './components/tools/todo-view'
import { inputText } from './format'

export const TASK_TOOLS: ReadonlySet<string> = new Set(['TaskCreate', 'TaskUpdate'])

const CREATED = /^Task #(\S+) created successfully/

export class TaskList {
  private readonly tasks: (Todo & { id?: string })[] = []
  /** TaskCreate calls waiting for their result (which names the id), by tool-use id. */
  private readonly pending = new Map<string, Todo & { id?: string }>()

  use(toolUseId: string, name: string, input: unknown): void {
    if (name === 'TaskCreate') {
      const task = {
        content: inputText(input, 'subject') ?? 'Task',
        status: 'pending' as const,
        activeForm: inputText(input, 'activeForm'),
      }
      this.tasks.push(task)
      this.pending.set(toolUseId, task)
      return
    }
    if (name !== 'TaskUpdate') return
    const i = this.tasks.findIndex((t) => t.id !== undefined && t.id === inputText(input, 'taskId'))
    const task = this.tasks[i]
    if (task === undefined) return
    const status = inputText(input, 'status')
    if (status === 'deleted') this.tasks.splice(i, 1)
    else if (status === 'pending' || status === 'in_progress' || status === 'completed') task.status = status
    task.content = inputText(input, 'subject') ?? task.content
    task.activeForm = inputText(input, 'activeForm') ?? task.activeForm
  }

  result(toolUseId: string, isError: boolean, content: string | undefined): void {
    const task = this.pending.get(toolUseId)
    if (task === undefined) return
    this.pending.delete(toolUseId)
    const id = CREATED.exec(content ?? '')?.[1]
    if (!isError && id !== undefined) task.id = id
    else this.tasks.splice(this.tasks.indexOf(task), 1)
  }

  list(): Todo[] {
    return this.tasks.map(({ content, status, activeForm }) => ({ content, status, activeForm }))
  }
}
