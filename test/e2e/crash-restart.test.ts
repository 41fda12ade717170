/**
 * The real CLI (`node dist/cli.js start`) killed with SIGKILL in the middle of a turn, then started again on the
 * same DATA_DIR: what the person typed is kept, the interrupted turn is closed with an error, `seq` goes on
 * without reuse, the sandbox processes of the dead server do not outlive it, and the next turn works.
 */
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OutboundEvent, SessionEvent } from '../../src/protocol/events.js'
import { descendantsOf } from '../fixtures/process-tree.js'
import {
  isAgentRequest,
  lastUserText,
  newestParagraph,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../fixtures/scripted-model-server.js'
import {
  type CliServer,
  connectEvents,
  type EventClient,
  eventually,
  startCli,
  tempDir,
  writeGroqRouterConfig,
} from './helpers.js'

const MODEL = 'groq/openai/gpt-oss-120b'
const SESSION = 'crash'
const dir = tempDir('ar-crash-')
let scripted: ScriptedModelServer
let routerConfig = ''
const children: ChildProcess[] = []
/** Every process the servers started (sandboxes, Claude Code): none may outlive the test. */
const seenPids = new Set<number>()

/** Alive and not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z'
  } catch {
    return false
  }
}

/** Starts `agent-router start` on this test's data dir and router config. */
async function startServer(): Promise<CliServer> {
  const server = await startCli({
    cwd: dir.path,
    env: {
      DATA_DIR: join(dir.path, 'data'),
      ROUTER_CONFIG: routerConfig,
      SANDBOX: 'none',
      GROQ_API_KEY: 'gsk_crash_restart_key_0123456789',
    },
  })
  children.push(server.child)
  return server
}

const persisted = (events: OutboundEvent[]) => events.filter((e): e is SessionEvent => 'seq' in e)
const snapshotArrived = (e: OutboundEvent) => e.type === 'status' && !('seq' in e)
const endsTurn = (after: number) => (e: OutboundEvent) =>
  e.type === 'status' && 'seq' in e && e.seq > after && (e.data as { isRunning: boolean }).isRunning === false

async function connect(url: string): Promise<EventClient> {
  const client = await connectEvents(`${url.replace('http', 'ws')}/demo/ws/${SESSION}`)
  await client.waitFor(snapshotArrived, 10_000)
  return client
}

beforeAll(async () => {
  scripted = await startScriptedModelServer({
    respond: (request) => {
      if (!isAgentRequest(request)) return { text: 'Crash session' }
      const said = lastUserText(request)
      if (newestParagraph(said).startsWith('slow')) return { text: 'finally done', delayMs: 60_000 }
      return { text: `echo: ${said}` }
    },
  })
  routerConfig = writeGroqRouterConfig(dir.path, scripted.openaiBaseUrl)
})

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  for (const pid of seenPids) {
    if (!alive(pid)) continue
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // gone meanwhile
    }
  }
  await scripted?.close()
  dir.remove()
})

describe('server killed with SIGKILL mid-turn', () => {
  it('keeps what was typed, closes the turn with an error, continues seq and answers the next message', {
    timeout: 120_000,
  }, async () => {
    const first = await startServer()
    const client = await connect(first.url)
    client.send({ type: 'user_message', content: 'hello before the crash', model: MODEL })
    await client.waitFor(endsTurn(1), 60_000)
    const beforeSlow = persisted(client.events).at(-1)?.seq ?? 0

    client.send({ type: 'user_message', content: 'slow work that the crash interrupts', model: MODEL })
    await client.waitFor(
      (e) =>
        e.type === 'status' &&
        'seq' in e &&
        e.seq > beforeSlow &&
        (e.data as { isRunning: boolean }).isRunning === true,
      30_000,
    )
    await eventually(
      () => scripted.requests.find((r) => isAgentRequest(r) && lastUserText(r).startsWith('slow')),
      'the slow model request',
    )
    const serverPid = first.child.pid as number
    for (const pid of descendantsOf(serverPid)) seenPids.add(pid)
    expect(seenPids.size).toBeGreaterThan(0)
    const beforeCrash = persisted(client.events)

    const exited = new Promise((resolve) => first.child.once('exit', resolve))
    first.child.kill('SIGKILL')
    await exited
    await client.close()
    // The sandbox sees its stdin close and exits; its Claude Code goes with it.
    await eventually(
      () => ([...seenPids].some(alive) ? undefined : true),
      `the dead server's processes to exit (left: ${[...seenPids].filter(alive).join(', ')})`,
      15_000,
    )

    const second = await startServer()
    const again = await connect(second.url)
    const replay = persisted(again.events)
    // Nothing persisted before the crash was lost or rewritten, and seq has no gap or reuse.
    expect(replay.slice(0, beforeCrash.length)).toEqual(beforeCrash)
    expect(replay.map((e) => e.seq)).toEqual(replay.map((_, i) => i + 1))
    expect(replay.filter((e) => e.type === 'user_message').map((e) => e.content)).toEqual([
      'hello before the crash',
      'slow work that the crash interrupts',
    ])
    const recovered = replay.slice(beforeCrash.length)
    expect(recovered.find((e) => e.type === 'error')?.content).toMatch(
      /interrupted by a restart of the server/,
    )
    expect(recovered.at(-1)).toMatchObject({ type: 'status', data: { isRunning: false } })
    expect(again.events.at(-1)).toMatchObject({ type: 'status', data: { isRunning: false } })
    expect(replay.map((e) => e.content)).not.toContain('finally done')

    const lastBefore = replay.at(-1)?.seq ?? 0
    again.send({ type: 'user_message', content: 'are you back?', model: MODEL })
    const next = persisted(await again.waitFor(endsTurn(lastBefore + 1), 60_000)).filter(
      (e) => e.seq > lastBefore,
    )
    expect(next[0]).toMatchObject({ type: 'user_message', content: 'are you back?', seq: lastBefore + 1 })
    expect(next.map((e) => e.seq)).toEqual(next.map((_, i) => lastBefore + 1 + i))
    expect(next.find((e) => e.type === 'result')?.content).toMatch(/echo: [\s\S]*are you back\?/)
    expect(next.filter((e) => e.type === 'error')).toEqual([])
    await again.close()

    const stopped = new Promise((resolve) => second.child.once('exit', resolve))
    for (const pid of descendantsOf(second.child.pid as number)) seenPids.add(pid)
    second.child.kill('SIGTERM')
    await stopped
  })
})
