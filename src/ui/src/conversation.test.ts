import { describe, expect, it } from 'vitest'
import { buildConversation, changedFiles, type Item, sessionUsage } from './conversation'
import type { WireEvent } from './session-socket'

let seq = 0
const ev = (type: WireEvent['type'], content?: string, data?: unknown, withSeq = true): WireEvent => ({
  type,
  content,
  data,
  seq: withSeq ? ++seq : undefined,
  timestamp: 1,
  sessionId: 's',
})

describe('buildConversation', () => {
  it('joins a tool_use with its tool_result and groups consecutive file changes', () => {
    seq = 0
    const items = buildConversation([
      ev('user_message', 'make files', { model: 'groq/x' }),
      ev('status', undefined, { isRunning: true, model: 'groq/x', container: 'starting' }),
      ev('tool_use', 'Write a.txt', { id: 't1', name: 'Write', input: { file_path: 'a.txt' } }),
      ev('tool_result', undefined, { toolUseId: 't1', isError: true, content: 'disk full' }),
      ev('file_change', 'Created: a.txt', { path: 'a.txt', action: 'created' }),
      ev('file_change', 'Modified: b.txt', { path: 'b.txt', action: 'modified' }),
      ev('result', 'Done **now**'),
      ev('status', undefined, {
        isRunning: false,
        model: 'groq/x',
        container: 'running',
        turn: { durationMs: 1200, costUsd: 0.01, inputTokens: 10, outputTokens: 5 },
      }),
    ])
    expect(items.map((i) => i.kind)).toEqual(['user', 'tool', 'files', 'assistant', 'turn-end'])
    const tool = items[1]
    expect(tool?.kind === 'tool' && tool.call).toMatchObject({ state: 'error', result: 'disk full' })
    const files = items[2]
    expect(files?.kind === 'files' && files.changes.map((c) => c.path)).toEqual(['a.txt', 'b.txt'])
    expect(items[4]).toMatchObject({ usage: { durationMs: 1200, costUsd: 0.01 }, interrupted: false })
  })

  it('shows a notice about the session as its own quiet item, not as an error', () => {
    seq = 0
    const items = buildConversation([
      ev('user_message', 'and now?'),
      ev('notice', "The agent's memory was restored from the session history (2 turns).", {
        kind: 'memory_restored',
        turns: 2,
      }),
      ev('result', 'Here we go.'),
    ])
    expect(items.map((i) => i.kind)).toEqual(['user', 'notice', 'assistant'])
    expect(items[1]).toMatchObject({
      text: "The agent's memory was restored from the session history (2 turns).",
    })
  })

  it('marks a permission prompt answered, and unanswered prompts and running tools as over when the turn ends', () => {
    seq = 0
    const answered = buildConversation([
      ev('user_message', 'go'),
      ev('permission_request', undefined, { requestId: 'r1', tool: 'Bash', input: { command: 'ls' } }),
      ev('permission_response', 'Allowed', { requestId: 'r1', allow: true }),
    ])
    expect(answered[1]).toMatchObject({ kind: 'permission', answer: 'allowed' })

    const ended = buildConversation([
      ev('user_message', 'go'),
      ev('tool_use', 'Bash ls', { id: 't', name: 'Bash', input: {} }),
      ev('permission_request', undefined, { requestId: 'r2', tool: 'Bash', input: {} }),
      ev('status', undefined, { isRunning: false, model: 'm', container: 'c', interrupted: true }),
    ])
    expect(ended[1]).toMatchObject({ kind: 'tool', call: { state: 'stopped' } })
    expect(ended[2]).toMatchObject({ kind: 'permission', answer: 'expired' })
    expect(ended[3]).toMatchObject({ kind: 'turn-end', interrupted: true })
  })

  it('keeps a message sent during a turn queued, last, until its turn starts; drops a cancelled one', () => {
    seq = 0
    const running = { isRunning: true, model: 'm', container: 'c' }
    const ended = { isRunning: false, model: 'm', container: 'c', turn: { durationMs: 5 } }
    const events = [
      ev('user_message', 'first'),
      ev('status', undefined, running),
      ev('tool_use', 'Bash: ls', { id: 't1', name: 'Bash', input: { command: 'ls' } }),
      ev('user_message', 'second'),
      ev('user_message', 'third'),
      ev('status', undefined, { ...running, waitingForSandbox: true }),
    ]
    const kinds = (items: Item[]) => items.map((i) => (i.kind === 'queued' ? `queued:${i.text}` : i.kind))
    expect(kinds(buildConversation(events))).toEqual(['user', 'tool', 'queued:second', 'queued:third'])
    events.push(ev('message_cancelled', 'Cancelled before it ran', { seq: 4 }))
    events.push(ev('result', 'done'), ev('status', undefined, { ...ended, queued: 1 }))
    expect(kinds(buildConversation(events))).toEqual([
      'user',
      'tool',
      'assistant',
      'turn-end',
      'queued:third',
    ])
    events.push(ev('status', undefined, { ...running, queued: 0 }), ev('result', 'third done'))
    const items = buildConversation(events)
    expect(kinds(items)).toEqual(['user', 'tool', 'assistant', 'turn-end', 'user', 'assistant'])
    expect(items[4]).toMatchObject({ kind: 'user', text: 'third' })
  })

  it('shows queued messages as sent when the server restarted and nothing waits any more', () => {
    seq = 0
    const items = buildConversation([
      ev('user_message', 'first'),
      ev('status', undefined, { isRunning: true, model: 'm', container: 'c' }),
      ev('user_message', 'second'),
      ev('error', 'The previous turn was interrupted by a restart of the server.'),
      ev('status', undefined, { isRunning: false, model: 'm', container: 'c', queued: 0 }),
    ])
    expect(items.map((i) => i.kind)).toEqual(['user', 'error', 'turn-end', 'user'])
  })

  it('shows an error answering a bad frame, and ignores status snapshots', () => {
    seq = 0
    const items = buildConversation([
      ev('status', undefined, { isRunning: false, model: 'm', container: 'c' }, false),
      ev('error', 'content must not be empty', undefined, false),
    ])
    expect(items).toEqual([{ kind: 'error', key: 'x1', text: 'content must not be empty' }])
  })
})

describe('changedFiles', () => {
  it('gives each changed path its latest action', () => {
    seq = 0
    const files = changedFiles([
      ev('file_change', 'Created: a', { path: 'a', action: 'created' }),
      ev('file_change', 'Modified: a', { path: 'a', action: 'modified' }),
      ev('file_change', 'Deleted: b', { path: 'b', action: 'deleted' }),
    ])
    expect([...files]).toEqual([
      ['b', 'deleted'],
      ['a', 'modified'],
    ])
  })
})

describe('buildConversation: tool views', () => {
  const running = () => ev('status', undefined, { isRunning: true, model: 'm', container: 'running' })
  const ended = () => ev('status', undefined, { isRunning: false, model: 'm', container: 'running' })
  const todo = (id: string, status: string) =>
    ev('tool_use', 'TodoWrite', { id, name: 'TodoWrite', input: { todos: [{ content: 'a', status }] } })

  it("nests a subagent's tool calls in their Task's card", () => {
    seq = 0
    const items = buildConversation([
      ev('user_message', 'go'),
      running(),
      ev('tool_use', 'Task', { id: 'task', name: 'Task', input: { description: 'look' } }),
      ev('tool_use', 'Read a', { id: 'r1', name: 'Read', input: {}, parentId: 'task' }),
      ev('tool_result', undefined, { toolUseId: 'r1', isError: false, content: 'text' }),
      ev('tool_result', undefined, { toolUseId: 'task', isError: false, content: 'found it' }),
      ended(),
    ])
    expect(items.map((i) => i.kind)).toEqual(['user', 'tool', 'turn-end'])
    const task = items[1]?.kind === 'tool' ? items[1].call : undefined
    expect(task?.children.map((c) => [c.name, c.state, c.result])).toEqual([['Read', 'done', 'text']])
    expect(task?.result).toBe('found it')
  })

  it("keeps one checklist per turn that the turn's TodoWrite calls update; the next turn starts a new one", () => {
    seq = 0
    const items = buildConversation([
      ev('user_message', 'plan'),
      running(),
      todo('t1', 'pending'),
      ev('tool_result', undefined, { toolUseId: 't1', isError: false }),
      todo('t2', 'completed'),
      ev('tool_result', undefined, { toolUseId: 't2', isError: false }),
      ended(),
      ev('user_message', 'again'),
      running(),
      todo('t3', 'in_progress'),
      ended(),
    ])
    const lists = items.flatMap((i) => (i.kind === 'tool' ? [i.call] : []))
    expect(lists).toHaveLength(2)
    expect(lists[0]?.input).toEqual({ todos: [{ content: 'a', status: 'completed' }] })
    expect(lists[0]?.state).toBe('done')
    expect(lists[1]?.state).toBe('stopped')
  })

  it("keeps the diff a file tool's result carries, and ignores malformed hunks", () => {
    seq = 0
    const hunk = { oldStart: 1, oldLines: 1, newStart: 1, newLines: 1, lines: ['-a', '+b'] }
    const items = buildConversation([
      ev('user_message', 'edit'),
      running(),
      ev('tool_use', 'Edit a', { id: 'e1', name: 'Edit', input: {} }),
      ev('tool_result', undefined, { toolUseId: 'e1', isError: false, patch: [hunk, { lines: 3 }] }),
    ])
    expect(items[1]?.kind === 'tool' && items[1].call.patch).toEqual([hunk])
  })
})

describe('sessionUsage', () => {
  it("adds up the turns' usage and keeps the latest context reading", () => {
    seq = 0
    const end = (turn: unknown) => ev('status', undefined, { isRunning: false, turn })
    const items = buildConversation([
      ev('user_message', 'a'),
      end({ inputTokens: 100, outputTokens: 10, costUsd: 0.5, contextTokens: 90, contextWindow: 1000 }),
      ev('user_message', 'b'),
      end({ inputTokens: 200, outputTokens: 20 }),
    ])
    expect(sessionUsage(items)).toEqual({
      turns: 2,
      inputTokens: 300,
      outputTokens: 30,
      costUsd: 0.5,
      context: { tokens: 90, window: 1000 },
    })
    expect(sessionUsage([]).costUsd).toBeUndefined()
  })
})

describe('buildConversation: the task list of TaskCreate and TaskUpdate', () => {
  it('keeps one checklist per turn, rebuilt from the calls and the ids their results name', () => {
    seq = 0
    const use = (id: string, name: string, input: unknown) => ev('tool_use', name, { id, name, input })
    const done = (id: string, content: string, isError = false) =>
      ev('tool_result', undefined, { toolUseId: id, isError, content })
    const end = () => ev('status', undefined, { isRunning: false })
    const items = buildConversation([
      ev('user_message', 'plan'),
      use('c1', 'TaskCreate', { subject: 'Write it', activeForm: 'Writing it' }),
      done('c1', 'Task #1 created successfully: Write it'),
      use('c2', 'TaskCreate', { subject: 'Test it' }),
      done('c2', 'Task #2 created successfully: Test it'),
      use('c3', 'TaskCreate', { subject: 'Refused' }),
      done('c3', 'no', true),
      use('u1', 'TaskUpdate', { taskId: '1', status: 'in_progress' }),
      done('u1', 'Updated task #1 status'),
      end(),
      ev('user_message', 'go on'),
      use('u2', 'TaskUpdate', { taskId: '1', status: 'completed' }),
      use('u3', 'TaskUpdate', { taskId: '2', status: 'deleted' }),
      end(),
    ])
    const cards = items.flatMap((i) => (i.kind === 'tool' ? [i.call] : []))
    expect(cards).toHaveLength(2)
    expect(cards[0]?.todos).toEqual([
      { content: 'Write it', status: 'in_progress', activeForm: 'Writing it' },
      { content: 'Test it', status: 'pending', activeForm: undefined },
    ])
    expect(cards[1]?.todos).toEqual([{ content: 'Write it', status: 'completed', activeForm: 'Writing it' }])
  })
})
