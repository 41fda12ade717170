import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { containerApp, type Line, resultOf, turn } from '../../test/fixtures/container-turns.js'
import { claudeProcessesOf } from '../../test/fixtures/process-tree.js'
import {
  isAgentRequest,
  lastUserText,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../test/fixtures/scripted-model-server.js'
import {
  checkLiveTranscript,
  checkTranscript,
  findTranscript,
  noConversationLoss,
} from './transcript-check.js'

const ID = '6b76a6b6-6faa-47ae-bbf8-cdcf4bc45dea'
let root: string
let model: ScriptedModelServer
const runs = new Set<AbortController>()

/** A CLAUDE_CONFIG_DIR holding `text` as the transcript of ID. */
function configWith(name: string, text: string): string {
  const dir = join(root, name)
  mkdirSync(join(dir, 'projects', '-work-space'), { recursive: true })
  writeFileSync(join(dir, 'projects', '-work-space', `${ID}.jsonl`), text)
  return dir
}

const entry = (n: number) =>
  `${JSON.stringify({ type: 'user', uuid: `u${n}`, message: { content: 'hi' } })}\n`

async function stopClaude(): Promise<void> {
  for (const run of runs) run.abort()
  const deadline = Date.now() + 5000
  while (claudeProcessesOf(process.pid).length > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50))
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'transcript-'))
  model = await startScriptedModelServer({
    respond: (request) =>
      isAgentRequest(request)
        ? { text: `You said: ${lastUserText(request).slice(0, 60)}` }
        : { text: 'A title' },
  })
})

afterEach(stopClaude)

afterAll(async () => {
  await model.close()
  rmSync(root, { recursive: true, force: true, maxRetries: 5 })
})

describe('checkTranscript (before a new process resumes)', () => {
  it('passes a transcript whose every line parses', () => {
    expect(checkTranscript(configWith('whole', entry(1) + entry(2)), ID)).toBeUndefined()
  })

  it('finds a missing or empty transcript missing', () => {
    expect(checkTranscript(join(root, 'nothing-here'), ID)).toMatchObject({
      type: 'transcript_lost',
      claudeSessionId: ID,
      reason: 'missing',
    })
    expect(checkTranscript(configWith('empty', ''), ID)).toMatchObject({ reason: 'missing' })
  })

  it('finds a transcript cut mid-line, or holding something other than JSON lines, unreadable', () => {
    const whole = entry(1) + entry(2)
    expect(checkTranscript(configWith('cut', whole.slice(0, whole.length - 10)), ID)).toMatchObject({
      reason: 'unreadable',
      detail: expect.stringContaining('line 2'),
    })
    expect(checkTranscript(configWith('garbage', 'this is not json\n'), ID)).toMatchObject({
      reason: 'unreadable',
    })
  })
})

describe('checkLiveTranscript (before a live query runs its next turn)', () => {
  it('passes a transcript that grew or stayed, and finds one that is gone or shrank lost', () => {
    const dir = configWith('live', entry(1) + entry(2))
    const size = Buffer.byteLength(entry(1) + entry(2))
    expect(checkLiveTranscript(dir, ID, size)).toBeUndefined()
    expect(checkLiveTranscript(dir, ID, size - 5)).toBeUndefined()
    truncateSync(findTranscript(dir, ID) as string, size - 5)
    expect(checkLiveTranscript(dir, ID, size)).toMatchObject({ reason: 'unreadable' })
    unlinkSync(findTranscript(dir, ID) as string)
    expect(checkLiveTranscript(dir, ID, size)).toMatchObject({ reason: 'missing' })
  })
})

describe('noConversationLoss', () => {
  it("recognises Claude Code's error result for the session it resumed, and nothing else", () => {
    // As Claude Code 0.3.332 answers `resume` of a session with no conversation (trimmed of usage fields).
    const result = {
      type: 'result',
      subtype: 'error_during_execution',
      duration_ms: 0,
      is_error: true,
      num_turns: 0,
      session_id: ID,
      errors: [`No conversation found with session ID: ${ID}`],
    }
    expect(noConversationLoss(result, ID)).toMatchObject({ reason: 'no_conversation', claudeSessionId: ID })
    expect(noConversationLoss(result, 'another-id')).toBeUndefined()
    expect(noConversationLoss({ ...result, errors: ['Model overloaded'] }, ID)).toBeUndefined()
    expect(noConversationLoss({ type: 'result', subtype: 'success', result: 'ok' }, ID)).toBeUndefined()
  })
})

describe('a turn that resumes a session whose transcript was lost (real Claude Code)', () => {
  const lostLine = (lines: Line[]) => lines.find((line) => line.type === 'transcript_lost')

  /** A first turn on a new container; returns its Claude Code session id and transcript file. */
  async function firstTurn(name: string) {
    const container = containerApp(root, name, model, runs)
    const lines = await turn(container.app, { prompt: 'remember the word pineapple' })
    expect(resultOf(lines)).toMatchObject({ subtype: 'success' })
    const sessionId = String(lines[0]?.session_id)
    const file = findTranscript(container.config.claudeConfigDir as string, sessionId) as string
    expect(readFileSync(file, 'utf8')).toContain('pineapple')
    return { ...container, sessionId, file }
  }

  it('answers with the loss when the live query lost its transcript, then starts a new session', {
    timeout: 60_000,
  }, async () => {
    const { app, sessionId, file } = await firstTurn('live-deleted')
    const [cli] = claudeProcessesOf(process.pid)
    unlinkSync(file)
    const requests = model.requests.length
    const lines = await turn(app, { prompt: 'what was the word?', resumeSessionId: sessionId })
    expect(lines).toEqual([lostLine(lines)])
    expect(lostLine(lines)).toMatchObject({ claudeSessionId: sessionId, reason: 'missing' })
    expect(model.requests.length).toBe(requests)

    const next = await turn(app, { prompt: 'start again' })
    expect(resultOf(next)).toMatchObject({ subtype: 'success', result: 'You said: start again' })
    expect(next[0]?.session_id).not.toBe(sessionId)
    expect(claudeProcessesOf(process.pid)).not.toContain(cli)
  })

  it('answers with the loss when the transcript was cut under the live query', {
    timeout: 60_000,
  }, async () => {
    const { app, sessionId, file } = await firstTurn('live-cut')
    truncateSync(file, Math.floor(readFileSync(file).length / 2))
    const lines = await turn(app, { prompt: 'what was the word?', resumeSessionId: sessionId })
    expect(lines).toEqual([expect.objectContaining({ type: 'transcript_lost', reason: 'unreadable' })])
  })

  it('answers with the loss before starting Claude Code on a transcript cut mid-line', {
    timeout: 60_000,
  }, async () => {
    const { sessionId, file } = await firstTurn('cold-cut')
    await stopClaude()
    const text = readFileSync(file, 'utf8')
    writeFileSync(file, text.slice(0, Math.floor(text.length / 2)))
    const { app } = containerApp(root, 'cold-cut', model, runs)
    const lines = await turn(app, { prompt: 'what was the word?', resumeSessionId: sessionId })
    expect(lines).toEqual([expect.objectContaining({ type: 'transcript_lost', reason: 'unreadable' })])
    expect(claudeProcessesOf(process.pid)).toEqual([])
  })

  it('answers a request without streaming for a lost session with a 409 that says what to do', async () => {
    const { app } = containerApp(root, 'collect', model, runs)
    const response = await app.request('/', {
      method: 'POST',
      body: JSON.stringify({ sessionId: 'sess', prompt: 'hi', resumeSessionId: ID, stream: false }),
    })
    expect(response.status).toBe(409)
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /lost its transcript .*send the turn without resumeSessionId/,
    )
    expect(claudeProcessesOf(process.pid)).toEqual([])
  })

  it("turns Claude Code's own 'No conversation found' into the loss, then starts a new session", {
    timeout: 60_000,
  }, async () => {
    const { sessionId, file } = await firstTurn('cold-empty-conversation')
    await stopClaude()
    // Whole lines, but only the bookkeeping before the first message: it parses, and holds no conversation.
    const lines = readFileSync(file, 'utf8').split('\n')
    writeFileSync(file, `${lines.slice(0, 2).join('\n')}\n`)
    expect(checkTranscript(join(root, 'cold-empty-conversation', 'claude'), sessionId)).toBeUndefined()
    const { app } = containerApp(root, 'cold-empty-conversation', model, runs)
    const answer = await turn(app, { prompt: 'what was the word?', resumeSessionId: sessionId })
    expect(answer).toEqual([
      expect.objectContaining({
        type: 'transcript_lost',
        claudeSessionId: sessionId,
        reason: 'no_conversation',
      }),
    ])

    const next = await turn(app, { prompt: 'start again' })
    expect(resultOf(next)).toMatchObject({ subtype: 'success', result: 'You said: start again' })
    expect(next[0]?.session_id).not.toBe(sessionId)
  })
})
