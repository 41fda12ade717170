/**
 * Approvals in the default mode (PERMISSION_MODE unset: acceptEdits) with real Claude Code: a shell command that
 * Claude Code will not run on its own asks in the UI instead of failing with "This command requires approval";
 * "always allow" its prefix, and the next command with that prefix runs without a prompt, answered by the
 * stored rule; a command with another prefix still asks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SessionEvent } from '../../src/protocol/events.js'
import type { RunningServer } from '../../src/server/start.js'
import {
  endsWithToolResult,
  isAgentRequest,
  lastUserText,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../fixtures/scripted-model-server.js'
import { connectEvents, type EventClient, persisted, startGroqServer, tempDir, turnEnded } from './helpers.js'

const dir = tempDir()
let scripted: ScriptedModelServer
let server: RunningServer

const SESSION = 'approvals'
const ws = () => `${server.url.replace('http', 'ws')}/demo/ws/${SESSION}`

beforeAll(async () => {
  scripted = await startScriptedModelServer({
    respond: (request) => {
      if (!isAgentRequest(request)) return { text: 'title' }
      if (endsWithToolResult(request)) return { text: 'Ran it.' }
      // `run <command>`: one Bash call with that command.
      const command = lastUserText(request).replace(/^run /, '')
      return { toolCalls: [{ name: 'Bash', arguments: { command, description: 'Run it' } }] }
    },
  })
  server = await startGroqServer({ dir: dir.path, openaiBaseUrl: scripted.openaiBaseUrl })
})

afterAll(async () => {
  await server?.close()
  await scripted?.close()
  dir.remove()
})

/** Sends `run <command>` and resolves with the turn's persisted events once its status says it ended. */
async function run(client: EventClient, command: string, onPrompt?: (request: SessionEvent) => void) {
  const from = client.events.length
  client.send({ type: 'user_message', content: `run ${command}` })
  if (onPrompt !== undefined) {
    await client.waitFor((e) => e.type === 'permission_request' && client.events.indexOf(e) >= from)
    onPrompt(persisted(client.events.slice(from)).find((e) => e.type === 'permission_request')!)
  }
  await client.waitFor((e) => turnEnded(e) && client.events.indexOf(e) >= from, 90_000)
  return persisted(client.events.slice(from))
}

describe('approvals in the default mode', () => {
  it('asks for a command, remembers its prefix, and runs the next one with it without a prompt', {
    timeout: 180_000,
  }, async () => {
    const client = await connectEvents(ws())
    await client.waitFor((e) => e.type === 'status')

    const first = await run(client, 'node -e "console.log(40 + 2)"', (request) => {
      expect(request.data).toMatchObject({
        tool: 'Bash',
        reason: 'This command requires approval',
        input: { command: 'node -e "console.log(40 + 2)"' },
      })
      const { requestId } = request.data as { requestId: string }
      client.send({ type: 'permission_response', requestId, allow: true, remember: 'prefix' })
    })
    expect(first.find((e) => e.type === 'permission_response')?.data).toMatchObject({
      allow: true,
      rule: { kind: 'prefix', tool: 'Bash', prefix: 'node' },
    })
    expect(first.find((e) => e.type === 'tool_result')?.data).toMatchObject({ isError: false, content: '42' })

    const second = await run(client, 'node -e "console.log(6 * 7)"')
    const answer = second.find((e) => e.type === 'permission_response')
    expect(answer?.content).toBe('Allowed by the rule: always allow `node`')
    expect(answer?.data).toMatchObject({ allow: true, byRule: true })
    expect(second.find((e) => e.type === 'tool_result')?.data).toMatchObject({
      isError: false,
      content: '42',
    })

    // Another program still asks; denied with a reason, which reaches the agent.
    const third = await run(client, 'npm --version', (request) => {
      const { requestId } = request.data as { requestId: string }
      client.send({ type: 'permission_response', requestId, allow: false, message: 'no npm here' })
    })
    expect(third.find((e) => e.type === 'tool_result')?.data).toMatchObject({
      isError: true,
      content: expect.stringContaining('no npm here'),
    })
    await client.close()
  })
})
