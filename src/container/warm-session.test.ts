import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  type ContainerUnderTest,
  containerApp,
  type Line,
  post,
  resultOf,
  turn,
} from '../../test/fixtures/container-turns.js'
import { claudeProcessesOf } from '../../test/fixtures/process-tree.js'
import {
  endsWithToolResult,
  isAgentRequest,
  lastUserText,
  type RecordedRequest,
  type ScriptedModelServer,
  type ScriptedTurn,
  startScriptedModelServer,
  workingDirectoryOf,
} from '../../test/fixtures/scripted-model-server.js'
import { buildContainerApp } from './app.js'
import { prewarmState, startPrewarm } from './prewarm.js'

let model: ScriptedModelServer
let root: string
const runs = new Set<AbortController>()

function respond(request: RecordedRequest): ScriptedTurn {
  if (!isAgentRequest(request)) return { text: 'A title' }
  if (endsWithToolResult(request)) return { text: 'Tool finished.' }
  // An interrupted prompt may share the user message: the last text block is the new one.
  const prompt = lastUserText(request)
  if (prompt.startsWith('slow')) return { text: 'slow answer', delayMs: 4000 }
  if (prompt.startsWith('run bash')) {
    const cwd = workingDirectoryOf(request)
    return {
      toolCalls: [
        {
          name: 'Bash',
          arguments: { command: `echo ran > ${cwd}/bash-out.txt`, description: 'write a file' },
        },
      ],
    }
  }
  if (prompt.startsWith('run node'))
    return {
      toolCalls: [
        { name: 'Bash', arguments: { command: 'node -e "console.log(6 * 7)"', description: 'compute' } },
      ],
    }
  return { text: `You said: ${prompt.slice(0, 60)}` }
}

function appFor(name: string): ContainerUnderTest {
  return containerApp(root, name, model, runs)
}

beforeAll(async () => {
  model = await startScriptedModelServer({ respond })
  root = mkdtempSync(join(tmpdir(), 'warm-'))
})

afterEach(async () => {
  for (const run of runs) run.abort()
  // Let the aborted Claude Code processes exit before the next test (or the cleanup) runs.
  const deadline = Date.now() + 5000
  while (claudeProcessesOf(process.pid).length > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50))
})

afterAll(async () => {
  await model.close()
  rmSync(root, { recursive: true, force: true, maxRetries: 5 })
})

describe('Claude Code started ahead of the first turn', () => {
  it('is taken by the first turn when the SDK asks for exactly it', { timeout: 60_000 }, async () => {
    const { app, config } = appFor('prewarm-taken')
    startPrewarm(config, JSON.stringify({ model: 'groq/first-model', permissionMode: 'acceptEdits' }))
    expect(prewarmState()).toBe('waiting')
    const early = claudeProcessesOf(process.pid)
    expect(early).toHaveLength(1)
    const lines = await turn(app, { prompt: 'hello early bird' })
    expect(resultOf(lines)).toMatchObject({ subtype: 'success', result: 'You said: hello early bird' })
    // The SDK's request matched what was started (a change in the SDK's command line or environment
    // shows here as 'discarded'), and the turn ran in that very process.
    expect(prewarmState()).toBe('adopted')
    expect(claudeProcessesOf(process.pid)).toEqual(early)
  })

  it('is stopped when the first turn needs another one, which then runs as usual', {
    timeout: 60_000,
  }, async () => {
    const { app, config } = appFor('prewarm-discarded')
    startPrewarm(config, JSON.stringify({ model: 'groq/another-model', permissionMode: 'acceptEdits' }))
    const [early] = claudeProcessesOf(process.pid)
    const lines = await turn(app, { prompt: 'hello other model' })
    expect(resultOf(lines)).toMatchObject({ subtype: 'success', result: 'You said: hello other model' })
    expect(prewarmState()).toBe('discarded')
    await vi.waitFor(() => expect(claudeProcessesOf(process.pid)).not.toContain(early))
  })
})

/** A container started as a warm pool member is: Claude Code booted for `boot` (no session) before any turn. */
function poolMember(name: string, boot: Record<string, unknown>) {
  const { config } = appFor(name)
  const booted = { ...config, env: { ...config.env, CONTAINER_PREWARM: JSON.stringify(boot) } }
  // As main.ts does: Claude Code is spawned first, then the server (which boots the live query) loads.
  startPrewarm(booted)
  return buildContainerApp(booted, runs)
}

describe('a container booted for no session yet (a warm pool member)', () => {
  it("has Claude Code up before any turn, and the first session's turn runs on that very process", {
    timeout: 60_000,
  }, async () => {
    const asked = model.requests.length
    const app = poolMember('pool-member', { model: 'groq/first-model', permissionMode: 'acceptEdits' })
    const ready = await app.request('/ready')
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({ ready: true, liveSession: { live: true, busy: false } })
    const booted = claudeProcessesOf(process.pid)
    expect(booted).toHaveLength(1)
    // Booting asks the model nothing.
    expect(model.requests.slice(asked).filter(isAgentRequest)).toEqual([])
    const lines = await turn(app, {
      prompt: 'hello from the pool',
      sessionId: 'taker',
      model: 'groq/first-model',
    })
    expect(resultOf(lines)).toMatchObject({ subtype: 'success', result: 'You said: hello from the pool' })
    expect(lines.some((l) => l.type === 'transcript_lost')).toBe(false)
    expect(prewarmState()).toBe('adopted')
    expect(claudeProcessesOf(process.pid)).toEqual(booted)
    const second = await turn(app, { prompt: 'and again', sessionId: 'taker', model: 'groq/first-model' })
    expect(resultOf(second)).toMatchObject({ result: 'You said: and again' })
    expect(claudeProcessesOf(process.pid)).toEqual(booted)
  })

  it("switches the booted process to the session's model", { timeout: 60_000 }, async () => {
    const app = poolMember('pool-model', { model: 'groq/first-model', permissionMode: 'acceptEdits' })
    await app.request('/ready')
    const booted = claudeProcessesOf(process.pid)
    const lines = await turn(app, { prompt: 'hello', sessionId: 'picky', model: 'groq/second-model' })
    expect(resultOf(lines)).toMatchObject({ subtype: 'success' })
    expect(model.requests.filter(isAgentRequest).at(-1)?.body.model).toBe('groq/second-model')
    expect(claudeProcessesOf(process.pid)).toEqual(booted)
  })

  it('replaces a booted process the first turn cannot use, starting a new conversation (nothing to resume)', {
    timeout: 60_000,
  }, async () => {
    const app = poolMember('pool-misfit', { model: 'groq/first-model', maxTurns: 3 })
    await app.request('/ready')
    const [booted] = claudeProcessesOf(process.pid)
    const lines = await turn(app, {
      prompt: 'hello misfit',
      sessionId: 'other-options',
      model: 'groq/first-model',
    })
    expect(resultOf(lines)).toMatchObject({ subtype: 'success', result: 'You said: hello misfit' })
    expect(lines.some((l) => l.type === 'transcript_lost')).toBe(false)
    await vi.waitFor(() => expect(claudeProcessesOf(process.pid)).not.toContain(booted))
  })
})

describe('warm turns on a live Claude Code query', () => {
  it('runs a follow-up turn in the same Claude Code process, with partial messages', {
    timeout: 60_000,
  }, async () => {
    const { app } = appFor('reuse')
    const first = await turn(app, { prompt: 'remember the word pineapple' })
    expect(resultOf(first)).toMatchObject({
      subtype: 'success',
      result: 'You said: remember the word pineapple',
    })
    expect(first.some((l) => l.type === 'stream_event')).toBe(true)
    const pids = claudeProcessesOf(process.pid)
    expect(pids.length).toBeGreaterThan(0)

    const second = await turn(app, { prompt: 'what was the word?', resumeSessionId: first[0]!.session_id })
    expect(second.at(-1)).toMatchObject({ type: 'result', result: 'You said: what was the word?' })
    expect(second.filter((l) => l.type === 'result')).toHaveLength(1)
    expect(claudeProcessesOf(process.pid)).toEqual(pids)
    const sent = JSON.stringify(model.requests.filter(isAgentRequest).at(-1)?.body.messages)
    expect(sent).toContain('remember the word pineapple')
  })

  it('switches the model of the live query between turns', { timeout: 60_000 }, async () => {
    const { app } = appFor('model')
    await turn(app, { prompt: 'hello', model: 'groq/first-model' })
    const pids = claudeProcessesOf(process.pid)
    const lines = await turn(app, { prompt: 'hello again', model: 'groq/second-model' })
    expect(resultOf(lines)).toMatchObject({ subtype: 'success' })
    expect(model.requests.filter(isAgentRequest).at(-1)?.body.model).toBe('groq/second-model')
    expect(claudeProcessesOf(process.pid)).toEqual(pids)
  })

  it('restarts the live query with resume when an option it cannot switch changes', {
    timeout: 60_000,
  }, async () => {
    const { app } = appFor('restart')
    const first = await turn(app, { prompt: 'remember mango' })
    const pids = claudeProcessesOf(process.pid)
    const second = await turn(app, { prompt: 'and now?', maxTurns: 3 })
    expect(resultOf(second)).toMatchObject({ subtype: 'success', session_id: first[0]!.session_id })
    expect(claudeProcessesOf(process.pid)).not.toEqual(pids)
    const request = model.requests.filter(isAgentRequest).at(-1)!
    expect(JSON.stringify(request.body.messages)).toContain('remember mango')
  })

  it('interrupts a turn when the client goes away; the next turn works and sees no leftovers', {
    timeout: 60_000,
  }, async () => {
    const { app } = appFor('interrupt')
    await turn(app, { prompt: 'hello' })
    const pids = claudeProcessesOf(process.pid)
    const slow = await post(app, { prompt: 'slow please' })
    await slow.read((l) => l.type === 'system')
    await slow.abort()

    const next = await turn(app, { prompt: 'after the interrupt' })
    expect(next.filter((l) => l.type === 'result')).toHaveLength(1)
    expect(next.at(-1)).toMatchObject({
      type: 'result',
      subtype: 'success',
      result: 'You said: after the interrupt',
    })
    expect(JSON.stringify(next)).not.toContain('slow answer')
    expect(claudeProcessesOf(process.pid)).toEqual(pids)
  })

  it('refuses a second concurrent turn with a 409', { timeout: 60_000 }, async () => {
    const { app } = appFor('busy')
    const slow = await post(app, { prompt: 'slow please' })
    await slow.read((l) => l.type === 'system')
    const second = await app.request('/', {
      method: 'POST',
      body: JSON.stringify({ prompt: 'hi', sessionId: 'sess' }),
    })
    expect(second.status).toBe(409)
    expect(((await second.json()) as { error: { message: string } }).error.message).toContain(
      'a turn is already running',
    )
    await slow.abort()
  })

  it('asks permission through the stream and runs the tool when allowed', { timeout: 60_000 }, async () => {
    const { app, workspace } = appFor('allow')
    const t = await post(app, { prompt: 'run bash please', permissionMode: 'default' })
    const lines = await t.read((l) => l.type === 'permission_request')
    const request = lines.at(-1)!
    expect(request).toMatchObject({ type: 'permission_request', toolName: 'Bash' })
    expect(request.input).toMatchObject({ description: 'write a file' })
    expect(typeof request.requestId).toBe('string')
    expect(typeof request.toolUseId).toBe('string')

    const unknown = await app.request('/permissions/nope', { method: 'POST', body: '{"allow":true}' })
    expect(unknown.status).toBe(404)
    const answer = await app.request(`/permissions/${request.requestId}`, {
      method: 'POST',
      body: JSON.stringify({ allow: true }),
    })
    expect(answer.status).toBe(200)
    const rest = await t.read()
    expect(rest.at(-1)).toMatchObject({ type: 'result', subtype: 'success', result: 'Tool finished.' })
    expect(readFileSync(join(workspace, 'bash-out.txt'), 'utf8').trim()).toBe('ran')
  })

  it('asks, instead of denying, in the default acceptEdits mode when a command needs approval', {
    timeout: 60_000,
  }, async () => {
    const { app } = appFor('accept-edits-asks')
    const t = await post(app, { prompt: 'run node please' })
    const request = (await t.read((l) => l.type === 'permission_request')).at(-1)!
    expect(request).toMatchObject({ toolName: 'Bash', reason: 'This command requires approval' })
    const answer = await app.request(`/permissions/${request.requestId}`, {
      method: 'POST',
      body: JSON.stringify({ allow: true }),
    })
    expect(answer.status).toBe(200)
    const toolResult = (await t.read())
      .filter((l) => l.type === 'user')
      .flatMap((l) => (l.message as { content: unknown }).content as Line[])
      .find((b) => b.type === 'tool_result')
    expect(toolResult).toMatchObject({ is_error: false, content: '42' })
  })

  it('reports a denied permission to Claude Code as an error tool result', { timeout: 60_000 }, async () => {
    const { app, workspace } = appFor('deny')
    const t = await post(app, { prompt: 'run bash please', permissionMode: 'default' })
    const request = (await t.read((l) => l.type === 'permission_request')).at(-1)!
    const answer = await app.request(`/permissions/${request.requestId}`, {
      method: 'POST',
      body: JSON.stringify({ allow: false, message: 'not today' }),
    })
    expect(answer.status).toBe(200)
    const lines = await t.read()
    const toolResult = lines
      .filter((l) => l.type === 'user')
      .flatMap((l) => (l.message as { content: unknown }).content as Line[])
      .find((b) => b.type === 'tool_result')
    expect(toolResult).toMatchObject({ is_error: true })
    expect(JSON.stringify(toolResult)).toContain('not today')
    expect(existsSync(join(workspace, 'bash-out.txt'))).toBe(false)
  })

  it('ends the turn with an error line when Claude Code dies; the next turn resumes in a new process', {
    timeout: 60_000,
  }, async () => {
    const { app } = appFor('crash')
    const first = await turn(app, { prompt: 'remember kiwi' })
    const sessionId = first[0]!.session_id
    const [cli] = claudeProcessesOf(process.pid)
    const slow = await post(app, { prompt: 'slow please', resumeSessionId: sessionId })
    await slow.read((l) => l.type === 'system')
    process.kill(cli!, 'SIGKILL')
    const lines = await slow.read()
    expect(lines.at(-1)).toMatchObject({ type: 'error', error: { type: 'api_error' } })
    expect((lines.at(-1)!.error as { message: string }).message).toContain('Claude Code stopped unexpectedly')

    const next = await turn(app, { prompt: 'what fruit?', resumeSessionId: sessionId })
    expect(next.at(-1)).toMatchObject({ type: 'result', subtype: 'success', session_id: sessionId })
    expect(claudeProcessesOf(process.pid)).not.toContain(cli)
    expect(JSON.stringify(model.requests.filter(isAgentRequest).at(-1)?.body.messages)).toContain(
      'remember kiwi',
    )
  })
})
