/**
 * Sandbox faults end to end (SANDBOX=none; real SDK, router, SQLite, container processes; scripted model): the
 * container killed mid-turn, the Claude Code process killed mid-turn, and a workspace whose disk is full. Each
 * turn ends cleanly (a `result` or an `error` event, never a hang) and the session answers the next message.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OutboundEvent, SessionEvent } from '../../src/protocol/events.js'
import type { RunningServer } from '../../src/server/start.js'
import { claudeProcessesOf, commandLine, descendantsOf } from '../fixtures/process-tree.js'
import {
  endsWithToolResult,
  isAgentRequest,
  lastUserText,
  newestParagraph,
  type RecordedRequest,
  type ScriptedModelServer,
  type ScriptedTurn,
  startScriptedModelServer,
} from '../fixtures/scripted-model-server.js'
import { connectEvents, type EventClient, eventually, startGroqServer, tempDir } from './helpers.js'

const MODEL = 'groq/openai/gpt-oss-120b'
const dir = tempDir('ar-sandbox-faults-')
const dataDir = join(dir.path, 'data')
const workspaceOf = (session: string) => join(dataDir, 'sessions', session, 'workspace')
let scripted: ScriptedModelServer
let server: RunningServer
const mounted: string[] = []

function respond(request: RecordedRequest): ScriptedTurn {
  if (!isAgentRequest(request)) return { text: 'Sandbox fault session' }
  const said = lastUserText(request)
  if (endsWithToolResult(request)) {
    const failed = JSON.stringify(request.body.messages).includes('ENOSPC')
    return { text: failed ? 'The disk is full; I could not write the file.' : 'Written.' }
  }
  if (newestParagraph(said).startsWith('slow')) return { text: 'finally done', delayMs: 20_000 }
  if (said.startsWith('write big ')) {
    const session = said.slice('write big '.length).trim()
    return {
      toolCalls: [
        {
          name: 'Write',
          arguments: { file_path: join(workspaceOf(session), 'big.txt'), content: 'x'.repeat(256 * 1024) },
        },
      ],
    }
  }
  return { text: `echo: ${said}` }
}

beforeAll(async () => {
  scripted = await startScriptedModelServer({ respond })
  server = await startGroqServer({ dir: dir.path, openaiBaseUrl: scripted.openaiBaseUrl })
})

afterAll(async () => {
  await server?.close()
  await scripted?.close()
  for (const path of mounted) {
    try {
      execFileSync('umount', [path], { stdio: 'pipe' })
    } catch {
      // Still busy for a moment after its processes ended: detach it now, the kernel frees it when idle.
      execFileSync('umount', ['-l', path], { stdio: 'pipe' })
    }
  }
  dir.remove()
})

const persisted = (events: OutboundEvent[]) => events.filter((e): e is SessionEvent => 'seq' in e)
const endsTurn = (after: number) => (e: OutboundEvent) =>
  e.type === 'status' && 'seq' in e && e.seq > after && (e.data as { isRunning: boolean }).isRunning === false
const isRunningStatus = (e: OutboundEvent) =>
  e.type === 'status' && 'seq' in e && (e.data as { isRunning: boolean }).isRunning

async function connect(session: string): Promise<EventClient> {
  const client = await connectEvents(`${server.url.replace('http', 'ws')}/demo/ws/${session}`)
  await client.waitFor((e) => e.type === 'status' && !('seq' in e), 10_000)
  return client
}

const lastSeq = (client: EventClient) => persisted(client.events).at(-1)?.seq ?? 0

/** The container server process of a session (SANDBOX=none: a child of this process working in the workspace). */
function containerPid(session: string): number | undefined {
  const workspace = workspaceOf(session)
  return descendantsOf(process.pid).find((pid) => {
    if (!commandLine(pid).includes('container/main')) return false
    try {
      return readlinkSync(`/proc/${pid}/cwd`) === workspace
    } catch {
      return false
    }
  })
}

/** Sends `content` and returns the persisted events of that turn. */
async function turn(client: EventClient, content: string): Promise<SessionEvent[]> {
  const after = lastSeq(client)
  client.send({ type: 'user_message', content, model: MODEL })
  const events = await client.waitFor(endsTurn(after + 1), 75_000)
  return persisted(events).filter((e) => e.seq > after)
}

async function expectNextTurnWorks(client: EventClient): Promise<void> {
  const events = await turn(client, 'are you still there?')
  expect(events.filter((e) => e.type === 'error')).toEqual([])
  expect(events.find((e) => e.type === 'result')?.content).toMatch(/echo: [\s\S]*are you still there\?/)
}

/** Starts a slow turn, waits until the model request is in flight, and returns the seq before it. */
async function startSlowTurn(client: EventClient): Promise<number> {
  const after = lastSeq(client)
  const requestsBefore = scripted.requests.length
  client.send({ type: 'user_message', content: 'slow work, please', model: MODEL })
  await client.waitFor((e) => isRunningStatus(e) && 'seq' in e && e.seq > after, 30_000)
  await eventually(
    () =>
      scripted.requests
        .slice(requestsBefore)
        .find((r) => isAgentRequest(r) && lastUserText(r).startsWith('slow')),
    'the slow model request',
  )
  return after
}

describe('sandbox faults', () => {
  it('ends the turn with an error when the container is killed mid-turn, and starts a new one for the next message', {
    timeout: 90_000,
  }, async () => {
    const client = await connect('killed-container')
    const after = await startSlowTurn(client)
    const pid = await eventually(() => containerPid('killed-container'), 'the container process')
    process.kill(pid, 'SIGKILL')
    const events = persisted(await client.waitFor(endsTurn(after + 1), 30_000)).filter((e) => e.seq > after)
    const error = events.find((e) => e.type === 'error')
    expect(error?.content).toMatch(
      /the sandbox stopped unexpectedly \(signal SIGKILL\); send the message again/,
    )
    expect(events.map((e) => e.content)).not.toContain('finally done')
    await expectNextTurnWorks(client)
    expect(containerPid('killed-container')).not.toBe(pid)
    await client.close()
  })

  it('ends the turn with an error when Claude Code is killed mid-turn, and answers the next message', {
    timeout: 90_000,
  }, async () => {
    const client = await connect('killed-cli')
    // A first turn starts the container, so the slow turn's Claude Code is its child.
    await turn(client, 'warm up')
    const container = await eventually(() => containerPid('killed-cli'), 'the container process')
    const after = await startSlowTurn(client)
    const [cli] = await eventually(() => {
      const found = claudeProcessesOf(container)
      return found.length > 0 ? found : undefined
    }, 'the Claude Code process')
    process.kill(cli!, 'SIGKILL')
    const events = persisted(await client.waitFor(endsTurn(after + 1), 30_000)).filter((e) => e.seq > after)
    const error = events.find((e) => e.type === 'error')
    expect(error?.content).toMatch(/Claude Code stopped unexpectedly \(.*terminated by signal SIGKILL/)
    expect(events.map((e) => e.content)).not.toContain('finally done')
    await expectNextTurnWorks(client)
    await client.close()
  })

  it('reports a failed write on a full workspace disk as a tool error, ends the turn, and keeps working', {
    timeout: 90_000,
  }, async (ctx) => {
    const session = 'full-disk'
    const workspace = workspaceOf(session)
    mkdirSync(workspace, { recursive: true })
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', workspace], { stdio: 'pipe' })
    } catch (err) {
      ctx.skip(`mounting a tmpfs is not permitted here: ${(err as Error).message}`)
    }
    mounted.push(workspace)
    const client = await connect(session)
    const events = await turn(client, `write big ${session}`)
    expect(events.find((e) => e.type === 'tool_use')?.content).toBe('Write big.txt')
    const result = events.find((e) => e.type === 'tool_result')
    expect(result?.data).toMatchObject({ isError: true })
    expect((result?.data as { content?: string } | undefined)?.content).toMatch(/ENOSPC|no space/i)
    expect(events.find((e) => e.type === 'result')?.content).toBe(
      'The disk is full; I could not write the file.',
    )
    await expectNextTurnWorks(client)
    await client.close()
  })
})
