/**
 * Permission prompts end to end (PERMISSION_MODE=default): Claude Code asks, every client sees the prompt, any
 * client answers, the answer reaches the tool call; an unanswered prompt survives reconnects and is denied with a
 * clear message after PERMISSION_TIMEOUT. Also: a turn that has to wait for a free sandbox says so.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OutboundEvent, SessionEvent } from '../../src/protocol/events.js'
import type { RunningServer } from '../../src/server/start.js'
import {
  endsWithToolResult,
  isAgentRequest,
  lastUserText,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../fixtures/scripted-model-server.js'
import { connectEvents, startGroqServer, tempDir } from './helpers.js'

const dir = tempDir()
let scripted: ScriptedModelServer
let server: RunningServer

const ws = (session: string, after = 0) =>
  `${server.url.replace('http', 'ws')}/demo/ws/${session}?after=${after}`
const persisted = (events: OutboundEvent[]) => events.filter((e): e is SessionEvent => 'seq' in e)
const ended = (after: number) => (e: OutboundEvent) =>
  e.type === 'status' && 'seq' in e && e.seq > after && (e.data as { isRunning: boolean }).isRunning === false
const workspace = (session: string) => join(dir.path, 'data', 'sessions', session, 'workspace')

beforeAll(async () => {
  scripted = await startScriptedModelServer({
    respond: (request) => {
      if (!isAgentRequest(request)) return { text: 'title' }
      if (endsWithToolResult(request)) {
        const messages = request.body.messages as { role: string; content: unknown }[]
        const last = JSON.stringify(messages[messages.length - 1])
        return { text: last.includes('denied') ? 'The command was not allowed.' : 'The command ran.' }
      }
      const said = lastUserText(request)
      const [verb, session, name] = said.split(' ')
      if (verb === 'touch') {
        return {
          toolCalls: [
            {
              name: 'Bash',
              arguments: {
                command: `touch ${join(workspace(session ?? ''), name ?? 'x')}`,
                description: 'Create a file',
              },
            },
          ],
        }
      }
      if (verb === 'slow') return { text: 'slow done', delayMs: 1500 }
      return { text: `echo: ${said}` }
    },
  })
  server = await startGroqServer({
    dir: dir.path,
    openaiBaseUrl: scripted.openaiBaseUrl,
    env: { PERMISSION_MODE: 'default', PERMISSION_TIMEOUT: '3s', MAX_INSTANCES: '1' },
  })
})

afterAll(async () => {
  await server?.close()
  await scripted?.close()
  dir.remove()
})

describe('permission prompts', () => {
  it('shows the prompt to every client and runs the tool when another client allows it', async () => {
    const asker = await connectEvents(ws('perm'))
    const approver = await connectEvents(ws('perm'))
    asker.send({ type: 'user_message', content: 'touch perm allowed.txt' })
    const [request] = (await approver.waitFor((e) => e.type === 'permission_request')).filter(
      (e) => e.type === 'permission_request',
    ) as SessionEvent[]
    expect(request?.content).toMatch(/^Allow Bash: touch /)
    expect(request?.data).toMatchObject({
      tool: 'Bash',
      input: { command: expect.stringContaining('allowed.txt') },
    })
    await asker.waitFor((e) => e.type === 'permission_request')
    const { requestId } = request!.data as { requestId: string }
    approver.send({ type: 'permission_response', requestId, allow: true })
    const events = persisted(await asker.waitFor(ended(1)))
    expect(events.find((e) => e.type === 'permission_response')?.data).toEqual({ requestId, allow: true })
    expect(events.find((e) => e.type === 'tool_result')?.data).toMatchObject({ isError: false })
    expect(events.find((e) => e.type === 'file_change')?.content).toBe('Created: allowed.txt')
    expect(existsSync(join(workspace('perm'), 'allowed.txt'))).toBe(true)
    // Answering again is refused without changing anything.
    approver.send({ type: 'permission_response', requestId, allow: false })
    await approver.waitFor((e) => e.type === 'error' && !('seq' in e))
    await Promise.all([asker.close(), approver.close()])
  })

  it('keeps an unanswered prompt across a reconnect, then denies it after the timeout, saying so', async () => {
    const first = await connectEvents(ws('perm-timeout'))
    first.send({ type: 'user_message', content: 'touch perm-timeout never.txt' })
    await first.waitFor((e) => e.type === 'permission_request')
    await first.close()
    const again = await connectEvents(ws('perm-timeout'))
    const replay = persisted(await again.waitFor((e) => e.type === 'status' && !('seq' in e)))
    expect(replay.map((e) => e.type)).toContain('permission_request')
    expect(replay.map((e) => e.type)).not.toContain('permission_response')
    const events = persisted(await again.waitFor(ended(2), 30_000))
    const response = events.find((e) => e.type === 'permission_response')
    expect(response?.data).toMatchObject({ allow: false, timedOut: true })
    expect(response?.content).toBe(
      'Nobody answered the permission request for Bash within 3 s, so it was denied.',
    )
    expect(events.find((e) => e.type === 'tool_result')?.data).toMatchObject({ isError: true })
    expect(existsSync(join(workspace('perm-timeout'), 'never.txt'))).toBe(false)
    await again.close()
  })
})

describe('sandbox capacity', () => {
  it('tells the client when a turn waits for a free sandbox (MAX_INSTANCES=1) and then runs it', async () => {
    const busy = await connectEvents(ws('cap-a'))
    const waiting = await connectEvents(ws('cap-b'))
    busy.send({ type: 'user_message', content: 'slow one' })
    await busy.waitFor(
      (e) => e.type === 'status' && 'seq' in e && (e.data as { isRunning: boolean }).isRunning,
    )
    waiting.send({ type: 'user_message', content: 'second in line' })
    const events = persisted(await waiting.waitFor(ended(1), 60_000))
    expect(
      events.some(
        (e) => e.type === 'status' && (e.data as { waitingForSandbox?: boolean }).waitingForSandbox,
      ),
    ).toBe(true)
    expect(events.find((e) => e.type === 'result')?.content).toBe('echo: second in line')
    await Promise.all([busy.close(), waiting.close()])
  })
})
