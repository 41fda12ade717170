/**
 * A session whose Claude Code transcript (under `DATA_DIR/sessions/<id>/claude/`) is lost between two turns
 * heals: the next turn still answers, in the same turn, from a new Claude Code session that was given the
 * conversation from the session's event log, and says so with a `notice`; the turn after it resumes the new
 * session as usual. Real server, real Claude Code, scripted model.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findTranscript } from '../../src/container/transcript-check.js'
import type { SessionEvent } from '../../src/protocol/events.js'
import type { RunningServer } from '../../src/server/start.js'
import {
  isAgentRequest,
  lastUserText,
  newestParagraph,
  type RecordedRequest,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../fixtures/scripted-model-server.js'
import { sendTurn, startGroqServer, tempDir } from './helpers.js'

const MODEL = 'groq/openai/gpt-oss-120b'
const RESTORED = /^The agent's memory was restored from the session history \(1 turn\)\.$/
const dir = tempDir('ar-lost-transcript-')
let scripted: ScriptedModelServer
let server: RunningServer

const start = () => startGroqServer({ dir: dir.path, openaiBaseUrl: scripted.openaiBaseUrl })

async function claudeSessionIdOf(session: string): Promise<string> {
  const state = (await (await fetch(`${server.url}/agent/sessions/${session}`)).json()) as {
    claudeSession: { id: string | null }
  }
  expect(state.claudeSession.id).toEqual(expect.any(String))
  return state.claudeSession.id as string
}

/** The session's Claude Code transcript file (the session's CLAUDE_CONFIG_DIR is `sessions/<id>/claude`). */
async function transcriptOf(session: string): Promise<string> {
  const configDir = join(dir.path, 'data', 'sessions', session, 'claude')
  const file = findTranscript(configDir, await claudeSessionIdOf(session))
  expect(file).toBeDefined()
  return file as string
}

/** Runs the turns of one session in order; each sees the events since the previous one. */
function conversation(session: string) {
  let seen = 0
  return async (content: string): Promise<{ events: SessionEvent[]; requests: RecordedRequest[] }> => {
    const before = scripted.requests.length
    const url = `${server.url.replace('http', 'ws')}/demo/ws/${session}?after=${seen}`
    const events = (await sendTurn(url, seen, { content, model: MODEL })).filter((e) => e.seq > seen)
    seen = events.at(-1)?.seq ?? seen
    return { events, requests: scripted.requests.slice(before).filter(isAgentRequest) }
  }
}

const said = (requests: RecordedRequest[]) => JSON.stringify(requests.map((r) => r.body.messages))
const typesOf = (events: SessionEvent[]) => events.map((e) => e.type)

/**
 * Three turns of `session`, with its transcript lost by `lose` after the first. The second turn answers in
 * that one turn (one user message, the notice, the answer), with the first turn's words in what the model
 * was sent; the third resumes the new Claude Code session with no notice.
 */
async function expectHealing(session: string, lose: (transcript: string) => Promise<void>): Promise<void> {
  const turn = conversation(session)
  const first = await turn('Remember this: the code word is AZURE-FALCON')
  expect(first.events.find((e) => e.type === 'result')?.content).toContain('echo: Remember this')
  const lostId = await claudeSessionIdOf(session)
  await lose(await transcriptOf(session))

  const { events, requests } = await turn('What was the code word?')
  expect(typesOf(events).filter((t) => t === 'user_message')).toHaveLength(1)
  expect(typesOf(events)).not.toContain('error')
  const notices = events.filter((e) => e.type === 'notice')
  expect(notices).toHaveLength(1)
  expect(notices[0]?.content).toMatch(RESTORED)
  expect(notices[0]?.data).toEqual({ kind: 'memory_restored', turns: 1 })
  expect(events.find((e) => e.type === 'result')?.content).toBe('echo: What was the code word?')
  expect(events.at(-1)).toMatchObject({ type: 'status', data: { isRunning: false } })
  expect(requests.length).toBeGreaterThan(0)
  expect(said(requests)).toContain('the code word is AZURE-FALCON')
  expect(said(requests)).toContain('<restored-history>')
  const newId = await claudeSessionIdOf(session)
  expect(newId).not.toBe(lostId)

  const third = await turn('And once more?')
  expect(typesOf(third.events)).not.toContain('notice')
  expect(typesOf(third.events)).not.toContain('error')
  expect(third.events.find((e) => e.type === 'result')?.content).toBe('echo: And once more?')
  expect(await claudeSessionIdOf(session)).toBe(newId)
  // Resumed: the restored history and the second turn are in the new transcript, sent along again.
  expect(said(third.requests)).toContain('the code word is AZURE-FALCON')
  expect(said(third.requests)).toContain('What was the code word?')
}

beforeAll(async () => {
  scripted = await startScriptedModelServer({
    respond: (request) =>
      isAgentRequest(request)
        ? { text: `echo: ${newestParagraph(lastUserText(request))}` }
        : { text: 'Lost transcript session' },
  })
  server = await start()
})

afterAll(async () => {
  await server?.close()
  await scripted?.close()
  dir.remove()
})

describe('a session whose Claude Code transcript was lost', () => {
  it(
    "heals when the session's Claude Code folder is deleted while the container is awake",
    { timeout: 120_000 },
    () =>
      expectHealing('deleted', async () =>
        rmSync(join(dir.path, 'data', 'sessions', 'deleted', 'claude'), { recursive: true }),
      ),
  )

  it('heals when the transcript was cut mid-line while the server was down', { timeout: 120_000 }, () =>
    expectHealing('truncated', async (transcript) => {
      await server.close()
      const text = readFileSync(transcript, 'utf8')
      writeFileSync(transcript, text.slice(0, Math.floor(text.length / 2)))
      server = await start()
    }),
  )
})
