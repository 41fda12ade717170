/**
 * The walking skeleton under SANDBOX=bwrap, real at every hop: WebSocket -> agent -> bwrap sandbox (container
 * server) -> Claude Code -> the router over the bound unix socket -> scripted model server. Then Claude Code
 * itself runs escape attempts through its Bash tool, and every one must fail. The sessions that do so took
 * their sandbox from the warm pool (POOL_SIZE=1), so everything here holds for a claimed sandbox.
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadServerConfig } from '../../src/config/config.js'
import type { OutboundEvent, SessionEvent } from '../../src/protocol/events.js'
import { probeBwrap } from '../../src/sandbox/drivers/bwrap/index.js'
import { createLogger } from '../../src/server/logger.js'
import { type RunningServer, startServer } from '../../src/server/start.js'
import {
  endsWithToolResult,
  isAgentRequest,
  lastUserText,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../fixtures/scripted-model-server.js'
import { connectEvents, tempDir, writeGroqRouterConfig } from './helpers.js'

const bwrapProblem = probeBwrap()
const PROVIDER_KEY = 'gsk_e2e_bwrap_provider_key_7d2e1c'
const MODEL = 'groq/openai/gpt-oss-120b'
const dir = tempDir('ar-e2e-bwrap-')
const dataDir = join(dir.path, 'data')
const logLines: string[] = []
let scripted: ScriptedModelServer
let server: RunningServer
const hostPort = { value: 0 }
const hostTcp = createServer((socket) => socket.end('host-only\n'))
const hostChild = spawn('sleep', ['120'], { stdio: 'ignore' })

/** The shell script Claude Code runs through Bash: each line prints DENIED-<what> when the attempt fails. */
function escapeScript(): string {
  const other = join(dataDir, 'sessions', 'other-session', 'workspace', 'secret.txt')
  return [
    `cat ${other} 2>/dev/null || echo DENIED-other-session`,
    'cat /etc/shadow 2>/dev/null || echo DENIED-shadow',
    `cat ${join(dir.path, 'host.key')} 2>/dev/null || echo DENIED-host-file`,
    `(env; cat /proc/*/environ) 2>/dev/null | grep -q ${PROVIDER_KEY} && echo LEAKED-key || echo DENIED-key`,
    `(echo x > ${join(process.cwd(), 'escape.txt')}) 2>/dev/null && echo WROTE-checkout || echo DENIED-checkout`,
    '(echo x > /usr/escape.txt) 2>/dev/null && echo WROTE-usr || echo DENIED-usr',
    `(exec 3<>/dev/tcp/127.0.0.1/${hostPort.value}) 2>/dev/null && echo REACHED-network || node -e "require('net').connect(${hostPort.value},'127.0.0.1').on('connect',()=>console.log('REACHED-network')).on('error',()=>console.log('DENIED-network'))"`,
    `kill -9 ${hostChild.pid} 2>/dev/null && echo KILLED-host || echo DENIED-signal`,
    // The pool's waiting member: its folders and its (unbound) router token.
    `cat ${join(dataDir, 'pool')}/*/workspace/pool-secret.txt 2>/dev/null || echo DENIED-pool`,
    "echo TOKENS-$(cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n' | grep '^ANTHROPIC_AUTH_TOKEN=' | sort -u | wc -l)",
  ].join('\n')
}

/** Starts the whole server with SANDBOX=bwrap on the test's data dir (again after a restart). */
function start(): Promise<RunningServer> {
  const env = {
    DATA_DIR: dataDir,
    ROUTER_CONFIG: writeGroqRouterConfig(dir.path, scripted.openaiBaseUrl),
    PORT: '0',
    SANDBOX: 'bwrap',
    SANDBOX_MEMORY: '1g',
    // Every tool call asks; the test clicks Allow (so Bash runs as a person would let it).
    PERMISSION_MODE: 'default',
    POOL_SIZE: '1',
    GROQ_API_KEY: PROVIDER_KEY,
    LOG_LEVEL: 'debug',
  }
  const logger = createLogger({
    level: 'debug',
    secrets: () => [PROVIDER_KEY],
    destination: { write: (line: string) => logLines.push(line) },
  })
  return startServer(loadServerConfig(env, dir.path), { logger })
}

/** Waits until the warm pool has a member booted and waiting (`/metrics`). */
async function poolReady(): Promise<void> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    if (metrics.includes('agent_router_sandbox_pool{state="ready"} 1')) return
    if (Date.now() > deadline) throw new Error('the warm pool did not fill')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** True when the log says the session's sandbox came from the warm pool. */
function tookFromPool(sessionId: string): boolean {
  return logLines.some(
    (line) =>
      line.includes('container taken from the warm pool') && line.includes(`"sessionId":"${sessionId}"`),
  )
}

async function turn(sessionId: string, content: string): Promise<SessionEvent[]> {
  const client = await connectEvents(`${server.url.replace('http', 'ws')}/demo/ws/${sessionId}`)
  // Claude Code asks before running Bash; a person would click Allow.
  client.socket.on('message', (data) => {
    const event = JSON.parse(data.toString()) as OutboundEvent
    if (event.type === 'permission_request') {
      const requestId = (event.data as { requestId: string }).requestId
      client.send({ type: 'permission_response', requestId, allow: true })
    }
  })
  // The history replay ends with a status snapshot (no seq); only what comes after it is this turn.
  await client.waitFor((e) => e.type === 'status' && !('seq' in e))
  const before = client.events.length
  client.send({ type: 'user_message', content, model: MODEL, timestamp: Date.now() })
  const all = await client.waitFor(
    (e) =>
      e.type === 'status' &&
      'seq' in e &&
      client.events.indexOf(e) > before &&
      (e.data as { isRunning: boolean }).isRunning === false,
    60_000,
  )
  await client.close()
  return all.slice(before).filter((e): e is SessionEvent => 'seq' in e)
}

describe.skipIf(bwrapProblem !== undefined)(
  `SANDBOX=bwrap end to end${bwrapProblem === undefined ? '' : ` (skipped: ${bwrapProblem})`}`,
  () => {
    beforeAll(async () => {
      await new Promise<void>((resolve) => hostTcp.listen(0, '127.0.0.1', resolve))
      hostPort.value = (hostTcp.address() as { port: number }).port
      writeFileSync(join(dir.path, 'host.key'), PROVIDER_KEY)
      scripted = await startScriptedModelServer({
        respond: (request) => {
          if (!isAgentRequest(request)) return { text: 'Sandbox session' }
          if (endsWithToolResult(request)) return { text: 'Done.' }
          const said = lastUserText(request)
          if (said.includes('Create hello.txt'))
            return {
              text: 'Creating the file.',
              toolCalls: [
                { name: 'Write', arguments: { file_path: '/workspace/hello.txt', content: 'hello\n' } },
              ],
            }
          if (said.includes('Try to escape'))
            return {
              text: 'Trying.',
              toolCalls: [
                // A script file in the workspace: Claude Code refuses subshells it cannot pre-check in a command.
                { name: 'Bash', arguments: { command: 'sh escape.sh', description: 'escape attempts' } },
              ],
            }
          if (said.includes('Eat memory'))
            return {
              text: 'Eating.',
              toolCalls: [{ name: 'Bash', arguments: { command: 'node hog.js', description: 'memory hog' } }],
            }
          return { text: `You said: ${said.slice(-80)}` }
        },
      })
      server = await start()
    }, 60_000)

    afterAll(async () => {
      await server?.close()
      await scripted?.close()
      hostTcp.close()
      hostChild.kill('SIGKILL')
      dir.remove()
    })

    it('runs a tool-using turn inside bwrap: the Write lands in the workspace, seen as /workspace', async () => {
      await poolReady()
      const events = await turn('sandboxed-1', 'Create hello.txt please')
      expect(tookFromPool('sandboxed-1')).toBe(true)
      expect(events.map((e) => e.type)).not.toContain('error')
      expect(events.find((e) => e.type === 'tool_use')?.content).toBe('Write hello.txt')
      expect(events.find((e) => e.type === 'file_change')).toMatchObject({ content: 'Created: hello.txt' })
      expect(events.filter((e) => e.type === 'result').map((e) => e.content)).toContain('Done.')
      expect(readFileSync(join(dataDir, 'sessions', 'sandboxed-1', 'workspace', 'hello.txt'), 'utf8')).toBe(
        'hello\n',
      )
      const agentRequest = scripted.requests.find(isAgentRequest)!
      expect(JSON.stringify(agentRequest.body)).toContain('/workspace')
      expect(agentRequest.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`)
      const last = events.at(-1)!
      expect(last.data).toMatchObject({
        isRunning: false,
        sandbox: 'bwrap',
        isolated: true,
        limits: { memory: { bytes: 1024 ** 3 }, pids: { max: 512 } },
        pool: { size: 1 },
      })
      // The model calls of the claimed sandbox count as the session's: the pool member's token is now its.
      const usage = await (await fetch(`${server.url}/llm/usage?sessionId=sandboxed-1`)).json()
      expect((usage as { entries?: unknown[] }).entries?.length ?? 0).toBeGreaterThan(0)
    }, 60_000)

    it('reports the sandbox and its limits in the debug output, with no secret in it', async () => {
      const res = await fetch(`${server.url}/claude-code/debug?sessionId=sandboxed-1`)
      const text = await res.text()
      const debug = JSON.parse(text) as {
        sandbox?: { driver: string; limits: unknown }
        workspace?: unknown
        prewarm?: string
      }
      // Its first turn ran in the Claude Code process the sandbox started while its server loaded.
      expect(debug.prewarm).toBe('adopted')
      expect(debug.sandbox).toMatchObject({
        driver: 'bwrap',
        limits: { memory: { bytes: 1024 ** 3 }, pids: { max: 512 } },
        pool: { size: 1 },
      })
      expect(debug.workspace).toMatchObject({ dir: '/workspace' })
      expect(text).not.toContain(PROVIDER_KEY)
      expect(logLines.join('\n')).not.toContain(PROVIDER_KEY)
    })

    it("fails every escape Claude Code's Bash tool tries from inside the sandbox", async () => {
      const otherWorkspace = join(dataDir, 'sessions', 'other-session', 'workspace')
      await turn('other-session', 'hello')
      writeFileSync(join(otherWorkspace, 'secret.txt'), 'other-only')
      writeFileSync(join(dataDir, 'sessions', 'sandboxed-1', 'workspace', 'escape.sh'), escapeScript())
      await poolReady()
      const waiting = readdirSync(join(dataDir, 'pool')).filter((m) =>
        existsSync(join(dataDir, 'pool', m, 'workspace')),
      )
      expect(waiting).toHaveLength(1)
      writeFileSync(join(dataDir, 'pool', waiting[0]!, 'workspace', 'pool-secret.txt'), 'pool-only')
      const before = scripted.requests.length
      const events = await turn('sandboxed-1', 'Try to escape')
      expect(events.find((e) => e.type === 'tool_use')?.data).toMatchObject({ name: 'Bash' })
      const followUp = scripted.requests.slice(before).find((r) => isAgentRequest(r) && endsWithToolResult(r))
      const messages = (followUp?.body.messages ?? []) as { role: string; content: unknown }[]
      const output = JSON.stringify(messages.filter((m) => m.role === 'tool').at(-1)?.content)
      for (const what of [
        'other-session',
        'shadow',
        'host-file',
        'key',
        'checkout',
        'usr',
        'network',
        'signal',
        'pool',
      ])
        expect(output).toContain(`DENIED-${what}`)
      expect(output).not.toMatch(/LEAKED|WROTE|REACHED|KILLED|other-only|pool-only/)
      // The only router token in sight is its own.
      expect(output).toContain('TOKENS-1')
      expect(hostChild.exitCode).toBeNull()
      expect(existsSync(join(process.cwd(), 'escape.txt'))).toBe(false)
    }, 90_000)

    it('ends a turn whose sandbox hits its memory limit with an error saying so; other sessions keep working', async () => {
      const hogWorkspace = join(dataDir, 'sessions', 'hog', 'workspace')
      await poolReady()
      await turn('hog', 'hello')
      expect(tookFromPool('hog')).toBe(true)
      writeFileSync(join(hogWorkspace, 'hog.js'), 'const a = []\nfor (;;) a.push(Buffer.alloc(1 << 24, 1))\n')
      const events = await turn('hog', 'Eat memory')
      const error = events.find((e) => e.type === 'error')
      expect(error?.content).toMatch(/the sandbox hit its memory limit \(1 GiB\)/)
      expect(events.at(-1)?.data).toMatchObject({ isRunning: false })

      const other = await turn('sandboxed-1', 'Still there?')
      expect(other.map((e) => e.type)).not.toContain('error')
      const again = await turn('hog', 'Are you back?')
      expect(again.find((e) => e.type === 'result')?.content).toContain('You said: Are you back?')
    }, 90_000)

    it('keeps the conversation across a server restart: the new sandbox resumes from the bound Claude dir', async () => {
      await server.close()
      server = await start()
      const before = scripted.requests.length
      const events = await turn('sandboxed-1', 'What did I ask first?')
      expect(events.map((e) => e.type)).not.toContain('error')
      const request = scripted.requests.slice(before).find(isAgentRequest)!
      expect(JSON.stringify(request.body.messages)).toContain('Create hello.txt please')
    }, 60_000)
  },
)
