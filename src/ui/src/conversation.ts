/**
 * Turns a session's event log into what the conversation shows: messages, tool cards (a `tool_use` joined
 * with its `tool_result`), file-change chips, permission prompts (joined with their answer), errors, notices
 * about the session itself (a quiet line) and the usage line that closes a turn. A message sent while a turn
 * runs waits: it is a `queued` item, last, until its turn starts (the next running `status` after a turn end)
 * or it is cancelled (`message_cancelled`). A subagent's tool calls nest in their Task's card; a turn's TodoWrite
 * calls update one checklist card in place. Pure, so it is tested without a browser.
 */
import type { FileDiff, PatchHunk } from '../../protocol/events'
import { NO_PATCH_REASONS } from '../../protocol/patch-bounds'
import type { PermissionRule } from '../../protocol/permission-rules'
import type { Todo } from './components/tools/todo-view'
import type { WireEvent } from './session-socket'
import { TASK_TOOLS, TaskList } from './task-list'

export type { PatchHunk }

export interface TurnUsage {
  durationMs?: number
  numTurns?: number
  costUsd?: number
  inputTokens?: number
  outputTokens?: number
  /** How much context the turn's last model call read, of the window Claude Code compacts against. */
  contextTokens?: number
  contextWindow?: number
}

export interface ToolCall {
  id: string
  name: string
  summary: string
  input: unknown
  state: 'running' | 'done' | 'error' | 'stopped'
  result?: string
  /** The change a file tool made, as Claude Code reported it. */
  patch?: PatchHunk[]
  patchClipped?: boolean
  /** The task list after this call, for TaskCreate/TaskUpdate (TodoWrite's is its input). */
  todos?: Todo[]
  /** The file it works on, relative to the workspace. */
  path?: string
  /** A Task's (subagent's) own tool calls, in order. */
  children: ToolCall[]
  /** When it started (the tool_use event's time). */
  startedAt: number
}

export type Item =
  | { kind: 'user'; key: string; text: string; model?: string; timestamp: number }
  | { kind: 'assistant'; key: string; text: string; timestamp: number }
  | { kind: 'tool'; key: string; call: ToolCall }
  | { kind: 'files'; key: string; changes: FileChange[] }
  | PermissionItem
  | { kind: 'error'; key: string; text: string }
  | { kind: 'notice'; key: string; text: string }
  | { kind: 'turn-end'; key: string; usage: TurnUsage | undefined; interrupted: boolean }
  | { kind: 'queued'; key: string; seq: number; text: string }

export interface PermissionItem {
  kind: 'permission'
  key: string
  requestId: string
  tool: string
  input: unknown
  /** Why Claude Code asks. */
  reason?: string
  /** The file a Write or Edit would change, relative to the workspace. */
  path?: string
  answer: 'allowed' | 'denied' | 'expired' | undefined
  /** The rule that answered it (`byRule`), or that its answer stored. */
  rule?: PermissionRule
  byRule?: boolean
  /** The reason given with a denial. */
  message?: string
}

export type FileAction = 'created' | 'modified' | 'deleted'
export type NoPatchReason = NonNullable<FileDiff['noPatch']>

/** A file the agent's turn changed, with the diff of its text when no file tool's card shows it. */
export interface FileChange {
  path: string
  action: FileAction
  patch?: PatchHunk[]
  patchClipped?: boolean
  /** Why a created or modified file has no diff. */
  noPatch?: NoPatchReason
}

export interface SessionStatus {
  isRunning: boolean
  model?: string
  container?: string
  sandbox?: string
  isolated?: boolean
  queued?: number
  waitingForSandbox?: boolean
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null
const isRule = (v: unknown): v is PermissionRule =>
  isRecord(v) &&
  typeof v.tool === 'string' &&
  (v.kind === 'tool' || (v.kind === 'prefix' && v.tool === 'Bash' && typeof v.prefix === 'string'))
const optNum = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined)
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v)

function patchFrom(v: unknown): PatchHunk[] | undefined {
  if (!Array.isArray(v)) return undefined
  const hunks = v.filter(
    (h): h is PatchHunk =>
      isRecord(h) &&
      isInt(h.oldStart) &&
      isInt(h.oldLines) &&
      isInt(h.newStart) &&
      isInt(h.newLines) &&
      Array.isArray(h.lines) &&
      h.lines.every((l) => typeof l === 'string'),
  )
  return hunks.length > 0 ? hunks : undefined
}

export function statusFrom(data: unknown): SessionStatus | undefined {
  if (!isRecord(data) || typeof data.isRunning !== 'boolean') return undefined
  return {
    isRunning: data.isRunning,
    model: typeof data.model === 'string' ? data.model : undefined,
    container: typeof data.container === 'string' ? data.container : undefined,
    sandbox: typeof data.sandbox === 'string' ? data.sandbox : undefined,
    isolated: typeof data.isolated === 'boolean' ? data.isolated : undefined,
    queued: optNum(data.queued),
    waitingForSandbox: data.waitingForSandbox === true,
  }
}

function usageFrom(v: unknown): TurnUsage | undefined {
  if (!isRecord(v)) return undefined
  return {
    durationMs: optNum(v.durationMs),
    numTurns: optNum(v.numTurns),
    costUsd: optNum(v.costUsd),
    inputTokens: optNum(v.inputTokens),
    outputTokens: optNum(v.outputTokens),
    contextTokens: optNum(v.contextTokens),
    contextWindow: optNum(v.contextWindow),
  }
}

type UserItem = Extract<Item, { kind: 'user' }>
type QueuedItem = Extract<Item, { kind: 'queued' }>

/**
 * Builds the conversation from persisted events (in seq order) plus unpersisted frame errors. Messages still
 * waiting for their turn come last, as `queued` items, in the order they will run.
 */
export function buildConversation(events: readonly WireEvent[]): Item[] {
  const items: Item[] = []
  const tools = new Map<string, ToolCall>()
  const prompts = new Map<string, PermissionItem>()
  let turnOpen = false
  /** This turn's checklist: later TodoWrite (or TaskCreate/TaskUpdate) calls of the turn update it. */
  let todos: ToolCall | undefined
  /** The session's task list, as TaskCreate and TaskUpdate keep it. */
  const tasks = new TaskList()
  /** Messages waiting behind the running turn, each with the item it becomes when its turn starts. */
  let queue: { queued: QueuedItem; user: UserItem }[] = []

  const closeOpenWork = (state: 'stopped') => {
    for (const call of tools.values()) if (call.state === 'running') call.state = state
    for (const p of prompts.values()) if (p.answer === undefined) p.answer = 'expired'
  }

  for (const [i, e] of events.entries()) {
    const key = e.seq !== undefined ? `s${e.seq}` : `x${i}`
    const data = isRecord(e.data) ? e.data : {}
    switch (e.type) {
      case 'user_message': {
        const user: UserItem = {
          kind: 'user',
          key,
          text: e.content ?? '',
          model: typeof data.model === 'string' ? data.model : undefined,
          timestamp: e.timestamp,
        }
        if (turnOpen || queue.length > 0) {
          queue.push({ queued: { kind: 'queued', key, seq: e.seq ?? -1, text: user.text }, user })
        } else {
          items.push(user)
          turnOpen = true
        }
        break
      }
      case 'message_cancelled':
        queue = queue.filter((q) => q.queued.seq !== data.seq)
        break
      case 'result':
        if ((e.content ?? '') !== '')
          items.push({ kind: 'assistant', key, text: e.content ?? '', timestamp: e.timestamp })
        break
      case 'tool_use': {
        const id = typeof data.id === 'string' ? data.id : key
        const call: ToolCall = {
          id,
          name: typeof data.name === 'string' ? data.name : 'tool',
          summary: e.content ?? '',
          input: data.input,
          state: 'running',
          children: [],
          startedAt: e.timestamp,
          ...(typeof data.path === 'string' && { path: data.path }),
        }
        const parent = typeof data.parentId === 'string' ? tools.get(data.parentId) : undefined
        const taskTool = TASK_TOOLS.has(call.name)
        if (taskTool) tasks.use(id, call.name, call.input)
        const plan = (call.name === 'TodoWrite' || taskTool) && parent === undefined
        if (plan && todos !== undefined) {
          if (!taskTool) todos.input = call.input
          Object.assign(todos, {
            state: 'running',
            result: undefined,
            ...(taskTool && { todos: tasks.list() }),
          })
          tools.set(id, todos)
          break
        }
        if (taskTool) call.todos = tasks.list()
        tools.set(id, call)
        if (parent !== undefined) parent.children.push(call)
        else items.push({ kind: 'tool', key, call })
        if (plan) todos = call
        break
      }
      case 'tool_result': {
        const call = typeof data.toolUseId === 'string' ? tools.get(data.toolUseId) : undefined
        if (call === undefined) break
        call.state = data.isError === true ? 'error' : 'done'
        if (typeof data.content === 'string') call.result = data.content
        tasks.result(data.toolUseId as string, data.isError === true, call.result)
        if (call.todos !== undefined) call.todos = tasks.list()
        const patch = patchFrom(data.patch)
        if (patch !== undefined) call.patch = patch
        if (data.patchClipped === true) call.patchClipped = true
        break
      }
      case 'file_change': {
        const path = typeof data.path === 'string' ? data.path : (e.content ?? '').replace(/^\w+: /, '')
        const action: FileAction =
          data.action === 'created' || data.action === 'deleted' ? data.action : 'modified'
        const change: FileChange = { path, action }
        const patch = patchFrom(data.patch)
        if (patch !== undefined) change.patch = patch
        if (data.patchClipped === true) change.patchClipped = true
        const noPatch = NO_PATCH_REASONS.find((r) => r === data.noPatch)
        if (noPatch !== undefined) change.noPatch = noPatch
        const last = items[items.length - 1]
        if (last?.kind === 'files') last.changes.push(change)
        else items.push({ kind: 'files', key, changes: [change] })
        break
      }
      case 'permission_request': {
        const requestId = typeof data.requestId === 'string' ? data.requestId : key
        const prompt: PermissionItem = {
          kind: 'permission',
          key,
          requestId,
          tool: typeof data.tool === 'string' ? data.tool : 'a tool',
          input: data.input,
          ...(typeof data.reason === 'string' && { reason: data.reason }),
          ...(typeof data.path === 'string' && { path: data.path }),
          answer: undefined,
        }
        prompts.set(requestId, prompt)
        items.push(prompt)
        break
      }
      case 'permission_response': {
        const prompt = typeof data.requestId === 'string' ? prompts.get(data.requestId) : undefined
        if (prompt === undefined) break
        prompt.answer = data.timedOut === true ? 'expired' : data.allow === true ? 'allowed' : 'denied'
        if (isRule(data.rule)) prompt.rule = data.rule
        if (data.byRule === true) prompt.byRule = true
        if (typeof data.message === 'string') prompt.message = data.message
        break
      }
      case 'error':
        items.push({ kind: 'error', key, text: e.content ?? 'something went wrong' })
        break
      case 'notice':
        if ((e.content ?? '') !== '') items.push({ kind: 'notice', key, text: e.content ?? '' })
        break
      case 'status':
        if (e.seq === undefined) break
        if (data.isRunning === true) {
          // After a turn ended, the next running status is the start of the oldest waiting message's turn.
          const next = turnOpen ? undefined : queue.shift()
          if (next !== undefined) {
            items.push(next.user)
            turnOpen = true
          }
          break
        }
        if (data.isRunning !== false) break
        if (turnOpen || data.turn !== undefined || data.interrupted === true) {
          items.push({
            kind: 'turn-end',
            key,
            usage: usageFrom(data.turn),
            interrupted: data.interrupted === true,
          })
        }
        closeOpenWork('stopped')
        turnOpen = false
        todos = undefined
        // Nothing waits on the server (it restarted): what was queued will not run; show it as sent.
        if (data.queued === 0) {
          for (const q of queue) items.push(q.user)
          queue = []
        }
        break
    }
  }
  return [...items, ...queue.map((q) => q.queued)]
}

/** The prompts of a conversation still waiting for an answer. */
export function waitingPrompts(items: readonly Item[]): PermissionItem[] {
  return items.filter((i): i is PermissionItem => i.kind === 'permission' && i.answer === undefined)
}

/** Files changed in this session, most recent first, with their latest action. */
export function changedFiles(events: readonly WireEvent[]): Map<string, FileAction> {
  const out = new Map<string, FileAction>()
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!
    if (e.type !== 'file_change' || !isRecord(e.data) || typeof e.data.path !== 'string') continue
    if (out.has(e.data.path)) continue
    const a = e.data.action
    out.set(e.data.path, a === 'created' || a === 'deleted' ? a : 'modified')
  }
  return out
}

export interface SessionUsage {
  turns: number
  inputTokens: number
  outputTokens: number
  /** Undefined when no turn had a known price. */
  costUsd: number | undefined
  /** The context as the latest turn that reported it left it. */
  context: { tokens: number; window: number } | undefined
}

/** What the session's turns came to, from their closing usage lines. */
export function sessionUsage(items: readonly Item[]): SessionUsage {
  const total: SessionUsage = {
    turns: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: undefined,
    context: undefined,
  }
  for (const item of items) {
    if (item.kind !== 'turn-end' || item.usage === undefined) continue
    const u = item.usage
    total.turns++
    total.inputTokens += u.inputTokens ?? 0
    total.outputTokens += u.outputTokens ?? 0
    if (u.costUsd !== undefined) total.costUsd = (total.costUsd ?? 0) + u.costUsd
    if (u.contextTokens !== undefined && u.contextWindow !== undefined)
      total.context = { tokens: u.contextTokens, window: u.contextWindow }
  }
  return total
}
