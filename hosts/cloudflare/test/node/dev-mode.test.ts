/**
 * The development mode end to end (`npm run dev`): `wrangler dev` → Worker → ClaudeCodeAgent → the real
 * ClaudeCodeContainer on the container runtime stand-in → the local container runtime → a bwrap sandbox →
 * the container server → real Claude Code (Claude Agent SDK) → `http://router.internal` → the Worker's router
 * → the scripted model server. Over the WebSocket protocol, then the web UI in headless Chromium, then
 * Ctrl-C: nothing of it may keep running. Screenshots go to test-artifacts/browser/.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { unzipSync } from 'fflate'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SessionEvent } from '../../../../src/protocol/events.js'
import { MAX_UPLOAD_BYTES } from '../../../../src/protocol/workspace-transfers.js'
import { probeBwrap } from '../../../../src/sandbox/drivers/bwrap/index.js'
import { connectEvents, persisted, turnEnded } from '../../../../test/e2e/helpers.js'
import { commandLine, descendantsOf } from '../../../../test/fixtures/process-tree.js'
import {
  endsWithToolResult,
  isAgentRequest,
  lastUserText,
  newestParagraph,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../../../test/fixtures/scripted-model-server.js'

const HOST_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const REPO_ROOT = resolve(HOST_DIR, '../..')
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'browser')
const PROVIDER_KEY = 'gsk_cf_dev_provider_key_7d2e9b41c0a6'
const MODEL = 'groq/openai/gpt-oss-120b'
const SESSION = 'cf-dev-ws-1'
const BROWSER_SESSION = 'cf-dev-ui-1'

let scripted: ScriptedModelServer
let dev: ChildProcess
let url = ''
let output = ''
const dir = mkdtempSync(join(tmpdir(), 'ar-cf-dev-test-'))
/** The dev run's temp dir (its TMPDIR), so what it leaves there is its own, whatever else runs on the machine. */
const devTmp = join(dir, 'tmp')
/** What `npm run dev` keeps in the temp dir while it runs (the secrets' env files, the sandboxes' folders). */
const devStateDirs = () => readdirSync(devTmp).filter((name) => name.startsWith('ar-cf-dev-'))

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolvePort(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

/** True while `pid` runs: a zombie (ended, not yet reaped by a parent that does not reap) does not. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** The container servers running in the dev run's sandboxes (not the bwrap processes around them). */
const containerServers = () =>
  descendantsOf(dev.pid!).filter((pid) =>
    /^\S*node .*\/opt\/agent-router\/dist\/container\/main\.js/.test(commandLine(pid)),
  )

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Waits for `predicate` on the dev process's output so far, or fails saying what it printed. */
function waitForOutput(predicate: (text: string) => boolean, what: string): Promise<void> {
  return new Promise((resolveWait, reject) => {
    const check = () => {
      if (predicate(output)) {
        dev.stdout?.off('data', check)
        dev.off('exit', exited)
        resolveWait()
      }
    }
    const exited = () => reject(new Error(`npm run dev ended before ${what}:\n${output}`))
    dev.stdout?.on('data', check)
    dev.once('exit', exited)
    check()
  })
}

/** One WebSocket turn: sends `content` and collects the persisted events up to the status that ends it. */
async function turn(session: string, content: string, after: number): Promise<SessionEvent[]> {
  const client = await connectEvents(`${url.replace('http', 'ws')}/demo/ws/${session}?after=${after}`)
  client.send({ type: 'user_message', content, model: MODEL, timestamp: Date.now() })
  const all = await client.waitFor((e) => turnEnded(e) && 'seq' in e && e.seq > after + 1, 240_000)
  await client.close()
  return persisted(all)
}

const bwrapProblem = probeBwrap()

beforeAll(async () => {
  if (bwrapProblem !== undefined) return
  scripted = await startScriptedModelServer({
    respond: (request) => {
      if (!isAgentRequest(request)) return { text: 'Dev session' }
      if (endsWithToolResult(request)) return { text: 'I created hello.txt for you.' }
      // A fresh Claude Code session is given the conversation so far first: the newest prompt is the last paragraph.
      const said = newestParagraph(lastUserText(request))
      if (said.includes('Create hello.txt'))
        return {
          text: 'Creating the file.',
          // Claude Code sees its workspace where the sandbox puts it.
          toolCalls: [
            { name: 'Write', arguments: { file_path: '/workspace/hello.txt', content: 'hello, world\n' } },
          ],
        }
      return { text: `You said: ${said.slice(-80)}` }
    },
  })
  // The deployment's configuration, as a developer's .dev.vars would give it: one route to the scripted model.
  const routes = JSON.stringify({
    model_list: [
      {
        model_name: 'groq/*',
        litellm_params: {
          model: 'groq/*',
          api_base: scripted.openaiBaseUrl,
          api_key: 'os.environ/GROQ_API_KEY',
        },
      },
    ],
    router_settings: { num_retries: 0, timeout: 60 },
  })
  mkdirSync(devTmp)
  const envFile = join(dir, 'dev.vars')
  writeFileSync(envFile, `GROQ_API_KEY=${PROVIDER_KEY}\nDEFAULT_MODEL=${MODEL}\nROUTER_CONFIG='${routes}'\n`)
  const port = await freePort()
  // Its own process group, as a terminal runs it: Ctrl-C there signals the whole group.
  dev = spawn(
    'npm',
    ['run', 'dev', '--', '--port', String(port), '--env-file', envFile, '--persist-to', join(dir, 'state')],
    {
      cwd: HOST_DIR,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TMPDIR: devTmp },
    },
  )
  dev.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  dev.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  await waitForOutput((text) => text.includes('development mode) on http://'), 'it printed its URL')
  url = /development mode\) on (http:\/\/\S+)/.exec(output)![1]!
}, 240_000)

afterAll(async () => {
  if (dev?.pid !== undefined && dev.exitCode === null && dev.signalCode === null) {
    const exited = new Promise((r) => dev.once('exit', r))
    process.kill(-dev.pid, 'SIGINT')
    await exited
  }
  await scripted?.close()
  rmSync(dir, { recursive: true, force: true })
}, 60_000)

// As the Node host's bwrap tests: a machine where bubblewrap cannot run (no user namespaces) cannot run this.
describe.skipIf(bwrapProblem !== undefined)(
  `npm run dev (wrangler dev with bwrap-sandboxed container servers)${bwrapProblem === undefined ? '' : ` (skipped: ${bwrapProblem})`}`,
  { timeout: 240_000 },
  () => {
    let first: SessionEvent[] = []

    it('runs a turn over WebSocket that writes a file: tool_use, file_change, the answer, the final status', async () => {
      first = await turn(SESSION, 'Create hello.txt containing hello, world', 0)
      const types = first.map((e) => e.type)
      expect(types[0]).toBe('user_message')
      expect(types).not.toContain('error')
      // Nothing to tell: in particular the workspace was saved for when the container sleeps.
      expect(first.filter((e) => e.type === 'notice')).toEqual([])
      expect(first.find((e) => e.type === 'tool_use')?.content).toBe('Write hello.txt')
      expect(first.find((e) => e.type === 'file_change')).toMatchObject({
        content: 'Created: hello.txt',
        data: { path: 'hello.txt', action: 'created' },
      })
      expect(first.filter((e) => e.type === 'result').map((e) => e.content)).toContain(
        'I created hello.txt for you.',
      )
      expect(first.at(-1)?.data).toMatchObject({ isRunning: false, model: MODEL })
      expect(first.map((e) => e.seq)).toEqual(first.map((_, i) => i + 1))
      // The file is in the session's container, served by its container server.
      const file = await fetch(`${url}/agent/sessions/${SESSION}/files/hello.txt`)
      expect(file.status).toBe(200)
      expect(JSON.stringify(await file.json())).toContain('hello, world')
    })

    it('runs a follow-up turn in the same conversation', async () => {
      const after = first.at(-1)!.seq
      const second = await turn(SESSION, 'And now?', after)
      expect(second.map((e) => e.type)).not.toContain('error')
      expect(second.filter((e) => e.type === 'result').map((e) => e.content)).toContain('You said: And now?')
      // Claude Code resumed its conversation: the model saw the first turn again.
      const last = scripted.requests.filter(isAgentRequest).at(-1)!
      expect(JSON.stringify(last.body.messages)).toContain('Create hello.txt containing hello, world')
    })

    it("uploads into the session's container and downloads from it, one file or all as a zip", async () => {
      const files = `${url}/agent/sessions/${SESSION}/files`
      const up = await fetch(`${files}/data/upload.csv`, { method: 'PUT', body: 'id,name\n1,Ada\n' })
      expect(up.status).toBe(201)
      expect((await fetch(`${files}/data/upload.csv`, { method: 'PUT', body: 'x' })).status).toBe(409)
      const down = await fetch(`${url}/agent/sessions/${SESSION}/download/data/upload.csv`)
      expect(down.headers.get('content-length')).toBe('14')
      expect(await down.text()).toBe('id,name\n1,Ada\n')
      const zip = await fetch(`${url}/agent/sessions/${SESSION}/download`)
      const entries = unzipSync(new Uint8Array(await zip.arrayBuffer()))
      expect(Object.keys(entries).sort()).toEqual(['data/upload.csv', 'hello.txt'])
      // Over the limit with no length said ahead: refused once read, and the session answers right after.
      const mb = new Uint8Array(1024 * 1024)
      let sent = 0
      const streamed = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent > MAX_UPLOAD_BYTES + 2 * mb.length) return controller.close()
          sent += mb.length
          controller.enqueue(mb)
        },
      })
      const over = await fetch(`${files}/big.bin`, {
        method: 'PUT',
        body: streamed,
        duplex: 'half',
      } as RequestInit)
      expect(over.status).toBe(413)
      const listed = await fetch(files, { signal: AbortSignal.timeout(10_000) })
      expect(JSON.stringify(await listed.json())).not.toContain('big.bin')
    })

    it('starts a fresh container for the next turn after the running one ended on its own', async () => {
      const servers = containerServers()
      expect(servers).toHaveLength(1)
      process.kill(servers[0]!, 'SIGKILL')
      while (alive(servers[0]!)) await sleep(100)
      const { events } = (await (await fetch(`${url}/agent/sessions/${SESSION}/events`)).json()) as {
        events: SessionEvent[]
      }
      const third = await turn(SESSION, 'Still there?', events.at(-1)!.seq)
      expect(third.map((e) => e.type)).not.toContain('error')
      expect(third.filter((e) => e.type === 'result').map((e) => e.content)).toContain(
        'You said: Still there?',
      )
      // The disk went with the container; the workspace came back from the session's archive (local R2).
      const file = await fetch(`${url}/agent/sessions/${SESSION}/files/hello.txt`)
      expect(JSON.stringify(await file.json())).toContain('hello, world')
      // An upload was saved when it was made, not only after a turn.
      const uploaded = await fetch(`${url}/agent/sessions/${SESSION}/files/data/upload.csv`)
      expect(JSON.stringify(await uploaded.json())).toContain('Ada')
      const restarted = containerServers()
      expect(restarted).toHaveLength(1)
      expect(restarted[0]).not.toBe(servers[0])
    })

    it('keeps the provider key in the Worker: only the provider sees it, never the container', async () => {
      for (const request of scripted.requests)
        expect(request.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`)
      const debug = await fetch(`${url}/claude-code/debug?sessionId=${SESSION}`)
      expect(debug.status).toBe(200)
      const report = await debug.text()
      expect(report).toContain('ANTHROPIC_BASE_URL')
      expect(report).not.toContain(PROVIDER_KEY)
      expect(output).not.toContain(PROVIDER_KEY)
      // The model calls left the sandbox as a container's outbound HTTP, answered by the container object's
      // handler for router.internal (dev/runtime-protocol.ts), not by a side door to the router.
      expect(output).toMatch(/POST \/__dev\/container-outbound\/v1\/messages 200/)
    })

    it('serves the web UI, which sends a message and shows the answer (headless Chromium)', async () => {
      let browser: Browser | undefined
      try {
        browser = await chromium.launch({
          executablePath: '/usr/bin/chromium',
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
        })
        const page = await browser.newPage({ viewport: { width: 1400, height: 860 } })
        const pageErrors: string[] = []
        page.on('pageerror', (err) => pageErrors.push(err.message))
        await page.goto(`${url}/?session=${BROWSER_SESSION}`)
        await page
          .getByTestId('connection')
          .and(page.locator('[data-state="open"]'))
          .waitFor({ timeout: 60_000 })
        const box = page.getByLabel('Message', { exact: true })
        await box.fill('Hello from the browser')
        await box.press('Enter')
        await page
          .getByTestId('assistant-message')
          .filter({ hasText: 'You said: Hello from the browser' })
          .waitFor({ timeout: 180_000 })
        await page.getByTestId('working').waitFor({ state: 'detached', timeout: 60_000 })
        mkdirSync(ARTIFACTS, { recursive: true })
        await page.screenshot({ path: join(ARTIFACTS, 'cloudflare-dev-answer.png') })
        expect(
          await page.getByTestId('user-message').filter({ hasText: 'Hello from the browser' }).count(),
        ).toBe(1)
        expect(pageErrors).toEqual([])
      } finally {
        await browser?.close()
      }
    })

    it('stops wrangler, workerd and every sandbox on Ctrl-C', async () => {
      const started = descendantsOf(dev.pid!)
      const commands = started.map(commandLine)
      expect(commands.some((c) => c.includes('workerd'))).toBe(true)
      expect(commands.some((c) => c.startsWith('bwrap'))).toBe(true)
      // Under npm's shell: the last of the processes running it is node itself.
      const devScript = started.filter((pid) => commandLine(pid).includes('scripts/dev.mjs')).at(-1)
      expect(devScript).toBeDefined()
      process.kill(-dev.pid!, 'SIGINT')
      // The dev script ends last, once wrangler has ended and every sandbox is stopped: wait for it (as long
      // as a loaded machine needs), then let the kernel finish what was on its way out.
      while (alive(devScript!)) await sleep(100)
      for (let i = 0; i < 100 && started.some(alive); i++) await sleep(100)
      expect(started.filter(alive).map((pid) => `${pid} ${commandLine(pid)}`)).toEqual([])
      // Nor does anything it wrote stay behind.
      expect(devStateDirs()).toEqual([])
    })
  },
)
