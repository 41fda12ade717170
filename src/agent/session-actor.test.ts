/**
 * The session actor on real SQLite and a real workspace folder, with the container stand-in streaming the
 * Claude Agent SDK's lines (test/fixtures/scripted-container.ts): fast, so behaviour can change without
 * waiting for real Claude Code. The end-to-end tests run the same paths with it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type RunResponder, scriptedContainers } from '../../test/fixtures/scripted-container.js'
import type { OutboundEvent, StatusData } from '../protocol/events.js'
import { SqliteSessionStore } from '../store/sqlite-store.js'
import { DirectoryWorkspaceInspector } from '../store/workspace-tracker.js'
import { AgentService } from './agent-service.js'
import type { TitleFor } from './session-title.js'

let dir: string
let store: SqliteSessionStore

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ar-actor-'))
  store = new SqliteSessionStore(join(dir, 'agent-router.db'))
})

afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

function agentWith(respond?: RunResponder, titleFor?: TitleFor) {
  const workspaceOf = (id: string) => join(dir, 'sessions', id, 'workspace')
  const containers = scriptedContainers(workspaceOf, respond)
  const agent = new AgentService({
    store,
    containers,
    workspace: new DirectoryWorkspaceInspector(workspaceOf),
    defaultModel: 'groq/openai/gpt-oss-120b',
    permissionMode: 'acceptEdits',
    ...(titleFor !== undefined && { titleFor }),
  })
  return { agent, containers }
}

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open(): void } {
  let open = () => {}
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

/** A session whose agent echoes each prompt, the one saying `held` only once `hold` is opened. */
function echoHoldingFirst(held: string) {
  const hold = gate()
  const { agent } = agentWith((options) => ({
    text: `You said: ${options.prompt}`,
    ...(options.prompt === held && { holdUntil: hold.opened }),
  }))
  return { actor: agent.session('s1'), hold }
}

const status = (event: OutboundEvent) => (event as { data?: unknown }).data as StatusData

/** Resolves with the first live event of `actor` that matches. */
function nextEvent(
  actor: ReturnType<AgentService['session']>,
  matches: (event: OutboundEvent) => boolean,
): Promise<OutboundEvent> {
  return new Promise((resolve) => {
    const unsubscribe = actor.subscribe((event) => {
      if (!matches(event) || !('seq' in event)) return
      queueMicrotask(unsubscribe)
      resolve(event)
    }, Number.MAX_SAFE_INTEGER)
  })
}

describe('SessionActor', () => {
  it('persists every event before any client sees it', async () => {
    const { agent } = agentWith()
    const actor = agent.session('s1')
    const unpersisted: string[] = []
    actor.subscribe((event) => {
      if (!('seq' in event)) return
      const stored = store.eventsAfter('s1', event.seq - 1, 1)[0]
      if (stored?.seq !== event.seq) unpersisted.push(event.type)
    })
    await actor.submit('hello')
    expect(unpersisted).toEqual([])
    expect(store.eventsAfter('s1', 0).map((e) => e.type)).toEqual([
      'user_message',
      'status',
      'result',
      'status',
    ])
  })

  it('runs a Write turn: tool_use, tool_result, file_change, result, and records the file', async () => {
    const { agent } = agentWith(() => ({
      text: 'Done.',
      toolCalls: [{ name: 'Write', input: { file_path: '/workspace/src/hello.txt', content: 'hi\n' } }],
    }))
    const outcome = await agent.session('s1').submit('Create hello.txt')
    expect(outcome).toEqual({ result: 'Done.', isError: false, interrupted: false })
    const events = store.eventsAfter('s1', 0)
    expect(events.map((e) => e.type)).toEqual([
      'user_message',
      'status',
      'tool_use',
      'tool_result',
      'file_change',
      'result',
      'status',
    ])
    expect(events.find((e) => e.type === 'tool_use')?.content).toBe('Write src/hello.txt')
    expect(events.find((e) => e.type === 'file_change')).toMatchObject({
      content: 'Created: src/hello.txt',
      data: { path: 'src/hello.txt', action: 'created' },
    })
    expect(store.getSession('s1')?.sessionFiles).toEqual(['src/hello.txt'])
    expect(store.getSession('s1')?.title).toBe('Create hello.txt')
  })

  it("carries a command's diff in its file_change, but not one a file tool's result already showed", async () => {
    const patch = [{ oldStart: 1, oldLines: 0, newStart: 1, newLines: 1, lines: ['+hi'] }]
    const { agent } = agentWith((options) =>
      options.prompt === 'first'
        ? { toolCalls: [{ name: 'Write', input: { file_path: '/workspace/a.txt', content: 'hi\n' } }] }
        : {
            toolCalls: [
              {
                name: 'Bash',
                input: { command: "sed -i 's/hi/hello/' a.txt" },
                effect: (ws) => writeFileSync(join(ws, 'a.txt'), 'hello\n'),
              },
              {
                name: 'Edit',
                input: { file_path: '/workspace/a.txt', old_string: 'hello', new_string: 'hi' },
                effect: (ws) => writeFileSync(join(ws, 'a.txt'), 'hi\n'),
                toolUseResult: { structuredPatch: patch },
              },
            ],
          },
    )
    const actor = agent.session('s1')
    await actor.submit('first')
    await actor.submit('second')
    const changes = store.eventsAfter('s1', 0).filter((e) => e.type === 'file_change')
    expect(changes.map((e) => e.data)).toEqual([
      // A Write's card shows the new file's content as its diff.
      { path: 'a.txt', action: 'created' },
      { path: 'a.txt', action: 'modified', patch: [{ ...patch[0], oldLines: 1, lines: ['-hi', '+hello'] }] },
      // The Edit's card shows the change its result reported.
      { path: 'a.txt', action: 'modified' },
    ])
  })

  it('names a session by its first exchange, once, unless the person renamed it first', async () => {
    const asked: { sessionId: string; model: string; prompt: string }[] = []
    const titles = gate()
    const { agent } = agentWith(undefined, async (request) => {
      asked.push(request)
      await titles.opened
      return `"Greeting the agent."`
    })
    const seen: unknown[] = []
    agent.session('s1').subscribe((e) => seen.push(e))
    await agent.session('s1').submit('Hello there')
    expect(store.getSession('s1')?.title).toBe('Hello there')
    titles.open()
    await expect.poll(() => store.getSession('s1')?.title).toBe('Greeting the agent')
    expect(asked).toEqual([
      {
        sessionId: 's1',
        model: 'groq/openai/gpt-oss-120b',
        prompt: expect.stringContaining('User: Hello there'),
      },
    ])
    expect(seen).toContainEqual(
      expect.objectContaining({
        type: 'status',
        data: expect.objectContaining({ title: 'Greeting the agent' }),
      }),
    )
    await agent.session('s1').submit('And again')
    expect(asked).toHaveLength(1)

    // Renamed while the title was being asked for: the person's name stays.
    const slow = gate()
    const renamed = agentWith(undefined, async () => {
      await slow.opened
      return 'Model title'
    }).agent
    await renamed.session('s2').submit('Start')
    renamed.rename('s2', 'Mine')
    slow.open()
    await new Promise((r) => setTimeout(r, 50))
    expect(store.getSession('s2')?.title).toBe('Mine')
  })

  it('replays what came after the given seq, then a status snapshot, then live events, with no gap', async () => {
    const { agent } = agentWith()
    const actor = agent.session('s1')
    await actor.submit('first')
    const seen: OutboundEvent[] = []
    actor.subscribe((event) => seen.push(event), 2)
    await actor.submit('second')
    const seqs = seen.filter((e) => 'seq' in e).map((e) => (e as { seq: number }).seq)
    expect(seqs).toEqual([3, 4, 5, 6, 7, 8])
    // The snapshot (no seq) comes right after the replayed history.
    expect(seen[2]).toMatchObject({ type: 'status' })
    expect('seq' in seen[2]!).toBe(false)
  })

  it('listens without a replay: only live events, each once', async () => {
    const { agent } = agentWith()
    const actor = agent.session('s1')
    await actor.submit('first')
    const last = actor.record.lastSeq
    const seen: OutboundEvent[] = []
    const stop = actor.listen((event) => seen.push(event))
    await actor.submit('second')
    stop()
    const seqs = seen.filter((e) => 'seq' in e).map((e) => (e as { seq: number }).seq)
    expect(seqs[0]).toBe(last + 1)
    expect(seqs).toEqual(actor.events(last).map((e) => e.seq))
    expect(actor.catchUp(last).at(-1)).toMatchObject({ type: 'status', data: { isRunning: false } })
  })

  it('runs turns one at a time; queued counts only the turns that wait', async () => {
    const { actor, hold } = echoHoldingFirst('one')
    const statuses: StatusData[] = []
    actor.subscribe((event) => {
      if (event.type === 'status' && 'seq' in event) statuses.push(status(event))
    })
    const started = nextEvent(actor, (e) => e.type === 'status')
    const turns = [actor.submit('one'), actor.submit('two'), actor.submit('three')]
    await started
    expect(actor.statusData().queued).toBe(2)
    hold.open()
    expect((await Promise.all(turns)).map((t) => t.result)).toEqual([
      'You said: one',
      'You said: two',
      'You said: three',
    ])
    expect(statuses.map((s) => [s.isRunning, s.queued])).toEqual([
      [true, 2],
      [false, 2],
      [true, 1],
      [false, 1],
      [true, 0],
      [false, 0],
    ])
  })

  it('withdraws a queued message by its seq: it never runs, and a persisted event says so', async () => {
    const { actor, hold } = echoHoldingFirst('one')
    const started = nextEvent(actor, (e) => e.type === 'status')
    const turns = [actor.submit('one'), actor.submit('two'), actor.submit('three')]
    await started
    const seqOf = (text: string) => actor.events().find((e) => e.content === text)!.seq
    expect(() => actor.cancelQueued(seqOf('one'))).toThrow(/not waiting/)
    actor.cancelQueued(seqOf('two'))
    expect(actor.statusData().queued).toBe(1)
    expect(() => actor.cancelQueued(seqOf('two'))).toThrow(expect.objectContaining({ status: 409 }))
    hold.open()
    const outcomes = await Promise.all(turns)
    expect(outcomes.map((t) => [t.result, t.interrupted])).toEqual([
      ['You said: one', false],
      ['Cancelled before it ran.', true],
      ['You said: three', false],
    ])
    const cancelled = actor.events().filter((e) => e.type === 'message_cancelled')
    expect(cancelled.map((e) => e.data)).toEqual([{ seq: seqOf('two') }])
    expect(
      actor
        .events()
        .filter((e) => e.type === 'result')
        .map((e) => e.content),
    ).toEqual(['You said: one', 'You said: three'])
  })

  it("reports a turn's time as the wall time from the message to the turn's end", async () => {
    const hold = gate()
    const { agent } = agentWith(() => ({ text: 'ok', holdUntil: hold.opened }))
    const actor = agent.session('s1')
    const ended = nextEvent(actor, (e) => e.type === 'status' && status(e).isRunning === false)
    const turn = actor.submit('wait for it')
    setTimeout(() => hold.open(), 120)
    await turn
    const end = await ended
    const asked = actor.events().find((e) => e.type === 'user_message')!
    const turnData = status(end).turn as { durationMs: number }
    // The scripted container says duration_ms: 1; the person waited the whole hold.
    expect(turnData.durationMs).toBeGreaterThanOrEqual(110)
    const wall = (end as { timestamp: number }).timestamp - asked.timestamp
    expect(Math.abs(turnData.durationMs - wall)).toBeLessThanOrEqual(5)
  })

  it('resumes the Claude Code session the first turn started', async () => {
    const { agent, containers } = agentWith()
    const actor = agent.session('s1')
    await actor.submit('first')
    await actor.submit('second')
    expect(containers.runs[0]?.resumeSessionId).toBeUndefined()
    expect(containers.runs[1]?.resumeSessionId).toBe('claude-s1-1')
    expect(store.getSession('s1')?.claudeSessionId).toBe('claude-s1-1')
  })

  it('heals a lost transcript: a new Claude Code session gets the conversation, the turn still answers', async () => {
    const { agent, containers } = agentWith()
    const actor = agent.session('s1')
    await actor.submit('My name is Ada')
    containers.lostTranscripts.add('claude-s1-1')
    expect(await actor.submit('What is my name?')).toMatchObject({
      result: expect.stringContaining('What is my name?'),
    })
    const retry = containers.runs.at(-1)!
    expect(retry.resumeSessionId).toBeUndefined()
    expect(retry.prompt).toContain('My name is Ada')
    expect(retry.prompt.endsWith('What is my name?')).toBe(true)
    const types = store.eventsAfter('s1', 4).map((e) => e.type)
    expect(types).toEqual(['user_message', 'status', 'notice', 'result', 'status'])
    expect(store.getSession('s1')?.claudeSessionId).toBe('claude-s1-3')
    await actor.submit('And again?')
    expect(containers.runs.at(-1)?.resumeSessionId).toBe('claude-s1-3')
    expect(store.eventsAfter('s1', 9).some((e) => e.type === 'notice')).toBe(false)
  })

  it('stops a running turn on interrupt, keeps what it produced, and takes the next message', async () => {
    const never = gate()
    const { agent } = agentWith((options) =>
      options.prompt === 'long'
        ? { toolCalls: [{ name: 'Bash', input: { command: 'sleep 100' }, holdUntil: never.opened }] }
        : { text: 'back' },
    )
    const actor = agent.session('s1')
    const toolStarted = nextEvent(actor, (e) => e.type === 'tool_use')
    const long = actor.submit('long')
    await toolStarted
    expect(actor.runningTools).toEqual(['Bash'])
    expect(actor.interrupt()).toBe(true)
    expect(await long).toMatchObject({ interrupted: true })
    const last = store.eventsAfter('s1', 0).at(-1)!
    expect(status(last)).toMatchObject({ isRunning: false, interrupted: true })
    expect(store.eventsAfter('s1', 0).some((e) => e.type === 'tool_use')).toBe(true)
    expect(actor.runningTools).toEqual([])
    expect(await actor.submit('again')).toMatchObject({ result: 'back', isError: false })
  })

  it('ends a turn whose container broke with an error a person can act on; the next turn runs', async () => {
    const { agent } = agentWith((options) =>
      options.prompt === 'break' ? { breakWith: 'the sandbox stopped unexpectedly' } : { text: 'fine' },
    )
    const actor = agent.session('s1')
    expect(await actor.submit('break')).toMatchObject({ isError: true })
    const events = store.eventsAfter('s1', 0)
    expect(events.find((e) => e.type === 'error')?.content).toContain('the sandbox stopped unexpectedly')
    expect(status(events.at(-1)!)).toMatchObject({ isRunning: false })
    expect(await actor.submit('again')).toMatchObject({ result: 'fine', isError: false })
  })

  it('closes a turn that was running when the process stopped, on recovery', async () => {
    const { agent } = agentWith()
    store.ensureSession('s1')
    store.updateSession('s1', { isRunning: true })
    expect(agent.recover()).toBe(1)
    const events = store.eventsAfter('s1', 0)
    expect(events.map((e) => e.type)).toEqual(['error', 'status'])
    expect(store.getSession('s1')?.isRunning).toBe(false)
  })

  it('deletes a session with its history and releases its container', async () => {
    const { agent, containers } = agentWith()
    await agent.session('s1').submit('hello')
    await agent.deleteSession('s1')
    expect(agent.exists('s1')).toBe(false)
    expect(store.eventsAfter('s1', 0)).toEqual([])
    expect(containers.released).toEqual(['s1'])
  })
})

describe('SessionActor permission rules', () => {
  /** Each prompt is one tool call that asks: `bash <command>` or `fetch <url>`. */
  const asking: RunResponder = (options) => {
    const [verb, ...rest] = options.prompt.split(' ')
    const arg = rest.join(' ')
    return verb === 'bash'
      ? { toolCalls: [{ name: 'Bash', input: { command: arg }, ask: true }], text: 'done' }
      : { toolCalls: [{ name: 'WebFetch', input: { url: arg, prompt: 'read' }, ask: true }], text: 'done' }
  }

  /** Runs a turn and answers its prompt with `answer` (none: it must be answered by a rule). */
  async function turn(
    actor: ReturnType<AgentService['session']>,
    prompt: string,
    answer?: Parameters<typeof actor.answerPermission>[1],
  ) {
    const after = actor.record.lastSeq
    const asked = nextEvent(actor, (e) => e.type === 'permission_request')
    const done = actor.submit(prompt)
    const request = (await asked) as { data: { requestId: string } }
    if (answer !== undefined) {
      await expect.poll(() => actor.waitingPrompts.length).toBe(1)
      await actor.answerPermission(request.data.requestId, answer)
    }
    await done
    return actor.events(after)
  }

  it('answers at once a request an "always allow" prefix covers, and says which rule did', async () => {
    const { agent, containers } = agentWith(asking)
    const actor = agent.session('rules')
    const first = await turn(actor, 'bash npm test', { allow: true, remember: 'prefix' })
    expect(first.find((e) => e.type === 'permission_response')).toMatchObject({
      content: 'Allowed; from now on `npm test` is always allowed',
      data: { allow: true, rule: { kind: 'prefix', tool: 'Bash', prefix: 'npm test' } },
    })
    expect(store.getSession('rules')?.permissionRules).toEqual([
      { kind: 'prefix', tool: 'Bash', prefix: 'npm test' },
    ])

    const second = await turn(actor, 'bash npm test -- --grep parser')
    expect(second.find((e) => e.type === 'permission_response')).toMatchObject({
      content: 'Allowed by the rule: always allow `npm test`',
      data: { allow: true, byRule: true, rule: { prefix: 'npm test' } },
    })
    expect(second.find((e) => e.type === 'tool_result')?.data).toMatchObject({ isError: false })
    expect(containers.decisions.map((d) => d.decision)).toEqual([{ allow: true }, { allow: true }])
  })

  it('still asks for a chained command under a prefix rule, and sends the reason of a denial', async () => {
    const { agent, containers } = agentWith(asking)
    const actor = agent.session('chained')
    await turn(actor, 'bash npm test', { allow: true, remember: 'prefix' })
    const events = await turn(actor, 'bash npm test && rm -rf ~', { allow: false, message: 'never rm' })
    expect(events.find((e) => e.type === 'permission_response')).toMatchObject({
      content: 'Denied: never rm',
      data: { allow: false, message: 'never rm' },
    })
    expect(containers.decisions.at(-1)?.decision).toEqual({
      allow: false,
      message: 'The user denied this tool call: never rm',
    })
    expect(events.find((e) => e.type === 'tool_result')?.data).toMatchObject({
      isError: true,
      content: 'The user denied this tool call: never rm',
    })
  })

  it('keeps a tool rule across a restart of the server, for that tool and that session only', async () => {
    const before = agentWith(asking)
    await turn(before.agent.session('tool-rule'), 'fetch https://example.com', {
      allow: true,
      remember: 'tool',
    })
    const { agent } = agentWith(asking)
    const fetched = await turn(agent.session('tool-rule'), 'fetch https://example.org/other')
    expect(fetched.find((e) => e.type === 'permission_response')?.data).toMatchObject({
      byRule: true,
      rule: { kind: 'tool', tool: 'WebFetch' },
    })
    const other = agent.session('another-session')
    const asked = nextEvent(other, (e) => e.type === 'permission_request')
    const done = other.submit('fetch https://example.com')
    await asked
    expect(agent.waitingPrompts()).toEqual([
      { sessionId: 'another-session', requestId: expect.any(String), tool: 'WebFetch' },
    ])
    other.interrupt()
    await done
  })

  it('refuses to remember a prefix no rule can hold, and leaves the prompt waiting', async () => {
    const { agent } = agentWith(asking)
    const actor = agent.session('no-prefix')
    const asked = nextEvent(actor, (e) => e.type === 'permission_request')
    const done = actor.submit('bash for i in 1 2; do echo $i; done')
    const { data } = (await asked) as { data: { requestId: string } }
    await expect(actor.answerPermission(data.requestId, { allow: true, remember: 'prefix' })).rejects.toThrow(
      /no prefix rule can cover/,
    )
    expect(actor.waitingPrompts).toHaveLength(1)
    await actor.answerPermission(data.requestId, { allow: true })
    await done
    expect(store.getSession('no-prefix')?.permissionRules).toEqual([])
  })
})
