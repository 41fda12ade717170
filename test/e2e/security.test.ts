/**
 * Secrets stay where they belong, checked everywhere a person or an agent could look: every configured secret
 * (provider keys, AUTH_TOKEN, a key referenced from the router config) is scanned for in the logs, the debug
 * report, the events (REST and WebSocket), the environment of every process the server started (sandboxes
 * and Claude Code), what a Bash command inside the sandbox sees, and every file under DATA_DIR. Also: turns
 * are rate-limited per token on every surface that starts them.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadServerConfig } from '../../src/config/config.js'
import type { SessionEvent } from '../../src/protocol/events.js'
import { createLogger } from '../../src/server/logger.js'
import { type RunningServer, startServer } from '../../src/server/start.js'
import { descendantsOf } from '../fixtures/process-tree.js'
import {
  endsWithToolResult,
  isAgentRequest,
  lastUserText,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../fixtures/scripted-model-server.js'
import { connectEvents, tempDir } from './helpers.js'

const SECRETS = {
  GROQ_API_KEY: 'gsk_security_scan_groq_5f1d9e2a',
  OPENROUTER_API_KEY: 'sk-or-security-scan-8c3b7a61',
  ANTHROPIC_API_KEY: 'sk-ant-security-scan-2e9f4d70',
  CUSTOM_UPSTREAM_KEY: 'custom-upstream-key-61a8c4e2',
  AUTH_TOKEN: 'tok_security_scan_auth_93b1f07c',
}
const auth = { authorization: `Bearer ${SECRETS.AUTH_TOKEN}` }
const dir = tempDir('ar-e2e-security-')
const dataDir = join(dir.path, 'data')
const logLines: string[] = []
let scripted: ScriptedModelServer
let server: RunningServer

function findSecrets(text: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, value]) => text.includes(value))
    .map(([name]) => name)
}

function filesUnder(root: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(root)) {
    const path = join(root, name)
    const info = statSync(path, { throwIfNoEntry: false })
    if (info?.isDirectory()) out.push(...filesUnder(path))
    else if (info?.isFile()) out.push(path)
  }
  return out
}

beforeAll(async () => {
  scripted = await startScriptedModelServer({
    respond: (request) => {
      if (!isAgentRequest(request)) return { text: 'title' }
      if (endsWithToolResult(request)) return { text: 'Here is what I found.' }
      if (lastUserText(request).startsWith('inspect'))
        return {
          toolCalls: [
            {
              name: 'Bash',
              arguments: {
                command: 'id; env; cat /proc/*/environ 2>/dev/null | tr "\\0" "\\n"',
                description: 'Look around',
              },
            },
          ],
        }
      return { text: 'ok' }
    },
  })
  const routerConfig = join(dir.path, 'litellm_config.yaml')
  writeFileSync(
    routerConfig,
    `model_list:
  - model_name: groq/*
    litellm_params:
      model: groq/*
      api_base: ${scripted.openaiBaseUrl}
      api_key: os.environ/CUSTOM_UPSTREAM_KEY
router_settings:
  num_retries: 0
`,
  )
  const config = loadServerConfig(
    {
      ...SECRETS,
      DATA_DIR: dataDir,
      ROUTER_CONFIG: routerConfig,
      PORT: '0',
      LOG_LEVEL: 'debug',
      PERMISSION_MODE: 'bypassPermissions',
      RATE_LIMIT_BURST: '3',
      RATE_LIMIT_PER_MINUTE: '1',
    },
    dir.path,
  )
  const logger = createLogger({
    level: 'debug',
    secrets: () => Object.values(SECRETS),
    destination: { write: (line: string) => logLines.push(line) },
  })
  server = await startServer(config, { logger })
})

afterAll(async () => {
  await server?.close()
  await scripted?.close()
  dir.remove()
})

describe('secrets', () => {
  let events: SessionEvent[] = []

  it('runs a turn whose Bash call dumps the sandbox environment', async () => {
    const res = await fetch(`${server.url}/agent/message`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: 'scan', message: 'inspect the environment' }),
    })
    expect(res.status).toBe(200)
    const body = (await (
      await fetch(`${server.url}/agent/sessions/scan/events`, { headers: auth })
    ).json()) as {
      events: SessionEvent[]
    }
    events = body.events
    const result = events.find((e) => e.type === 'tool_result')?.data as { content: string; isError: boolean }
    expect(result.isError).toBe(false)
    // The dump really ran inside the sandbox: it shows the router address Claude Code was given.
    expect(result.content).toContain('ANTHROPIC_BASE_URL=')
    // …as an unprivileged user of its own user namespace, even though this server may run as root.
    if (server.agent.session('scan').statusData().isolated)
      expect(result.content).toContain('uid=1000(agent)')
    // The key reached the provider, from the router.
    expect(
      scripted.requests.some((r) => r.headers.authorization === `Bearer ${SECRETS.CUSTOM_UPSTREAM_KEY}`),
    ).toBe(true)
  })

  it('keeps every configured secret out of events, the debug report and the logs', async () => {
    expect(findSecrets(JSON.stringify(events))).toEqual([])
    const client = await connectEvents(
      `${server.url.replace('http', 'ws')}/demo/ws/scan?token=${SECRETS.AUTH_TOKEN}`,
    )
    const replay = await client.waitFor((e) => e.type === 'status' && !('seq' in e))
    await client.close()
    expect(findSecrets(JSON.stringify(replay))).toEqual([])
    const debug = await (
      await fetch(`${server.url}/claude-code/debug?sessionId=scan`, { headers: auth })
    ).text()
    expect(debug).toContain('processInfo')
    expect(findSecrets(debug)).toEqual([])
    expect(logLines.length).toBeGreaterThan(5)
    expect(findSecrets(logLines.join('\n'))).toEqual([])
  })

  it('keeps every configured secret out of the environment of every process the server started', () => {
    const pids = descendantsOf(process.pid)
    expect(pids.length).toBeGreaterThan(0)
    for (const pid of pids) {
      let environ = ''
      try {
        environ = readFileSync(`/proc/${pid}/environ`, 'utf8')
      } catch {
        continue
      }
      expect(findSecrets(environ), `process ${pid}`).toEqual([])
    }
  })

  it('writes no configured secret into any file under DATA_DIR', () => {
    const files = filesUnder(dataDir)
    expect(files.some((f) => f.endsWith('agent-router.db'))).toBe(true)
    for (const file of files) {
      if (file.endsWith('.sock')) continue
      expect(findSecrets(readFileSync(file).toString('latin1')), file).toEqual([])
    }
  })
})

describe('rate limits', () => {
  it('limits turns per token across REST and WebSocket, answering 429 with Retry-After', async () => {
    // The first test used one turn of the burst of 3.
    const send = () =>
      fetch(`${server.url}/agent/message`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId: 'limited', message: 'hello' }),
      })
    expect((await send()).status).toBe(200)
    const client = await connectEvents(
      `${server.url.replace('http', 'ws')}/demo/ws/limited?token=${SECRETS.AUTH_TOKEN}`,
    )
    client.send({ type: 'user_message', content: 'over ws' })
    await client.waitFor((e) => e.type === 'user_message' && 'seq' in e && e.content === 'over ws')
    client.send({ type: 'user_message', content: 'one too many' })
    const refusal = await client.waitFor((e) => e.type === 'error' && !('seq' in e))
    expect(refusal.find((e) => e.type === 'error' && !('seq' in e))).toMatchObject({
      content: expect.stringMatching(/^too many turns started; try again in \d+ s$/),
    })
    await client.close()
    const limited = await send()
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await limited.json()) as { error: { type: string } }).error.type).toBe('rate_limit_error')
    // Malformed requests are answered 400 and do not count.
    const bad = await fetch(`${server.url}/agent/message`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(bad.status).toBe(400)
  })
})
