/**
 * Shared pieces of the end-to-end tests: a temp data dir, a router config, a WebSocket client that collects
 * events, the server in-process or as the real CLI process.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { loadServerConfig } from '../../src/config/config.js'
import type { OutboundEvent, SessionEvent } from '../../src/protocol/events.js'
import { createLogger, type Logger } from '../../src/server/logger.js'
import { type RunningServer, startServer } from '../../src/server/start.js'

export function tempDir(prefix = 'ar-e2e-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** A LiteLLM-style config sending `groq/*` to the scripted server, with the key taken from the environment. */
export function writeGroqRouterConfig(
  dir: string,
  openaiBaseUrl: string,
  keyVariable = 'GROQ_API_KEY',
): string {
  const file = join(dir, 'litellm_config.yaml')
  writeFileSync(
    file,
    `model_list:
  - model_name: groq/*
    litellm_params:
      model: groq/*
      api_base: ${openaiBaseUrl}
      api_key: os.environ/${keyVariable}
router_settings:
  routing_strategy: least-busy
  num_retries: 0
  timeout: 30
`,
  )
  return file
}

export interface EventClient {
  events: OutboundEvent[]
  /** Resolves with the events received so far once `predicate` holds for one of them. */
  waitFor(predicate: (event: OutboundEvent) => boolean, timeoutMs?: number): Promise<OutboundEvent[]>
  send(frame: unknown): void
  close(): Promise<void>
  socket: WebSocket
}

export async function connectEvents(url: string): Promise<EventClient> {
  const socket = new WebSocket(url)
  const events: OutboundEvent[] = []
  const waiters: { predicate: (e: OutboundEvent) => boolean; resolve: () => void }[] = []
  socket.on('message', (data) => {
    const event = JSON.parse(data.toString()) as OutboundEvent
    events.push(event)
    for (const w of [...waiters]) {
      if (w.predicate(event)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
    }
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
  })
  return {
    events,
    socket,
    send: (frame) => socket.send(JSON.stringify(frame)),
    waitFor: (predicate, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        if (events.some(predicate)) return resolve([...events])
        const timer = setTimeout(
          () => reject(new Error(`timed out; events so far: ${JSON.stringify(events.map((e) => e.type))}`)),
          timeoutMs,
        )
        waiters.push({
          predicate,
          resolve: () => {
            clearTimeout(timer)
            resolve([...events])
          },
        })
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve()
        socket.once('close', () => resolve())
        socket.close()
      }),
  }
}

/** The `status` event (with a seq) that ends a turn. */
export const turnEnded = (event: OutboundEvent): boolean =>
  event.type === 'status' && 'seq' in event && (event.data as { isRunning?: boolean }).isRunning === false

/** The persisted events among `events` (the ones with a `seq`). */
export const persisted = (events: OutboundEvent[]): SessionEvent[] =>
  events.filter((e): e is SessionEvent => 'seq' in e)

/**
 * Sends `content` on a new connection to `wsUrl` (which replays from `?after=`) and resolves with the
 * persisted events up to the `status` that ends that turn (the first one after its `user_message`, seq
 * `after + 1`).
 */
export async function sendTurn(
  wsUrl: string,
  after: number,
  frame: { content: string; model?: string },
): Promise<SessionEvent[]> {
  const client = await connectEvents(wsUrl)
  client.send({ type: 'user_message', ...frame, timestamp: Date.now() })
  const all = await client.waitFor((e) => turnEnded(e) && 'seq' in e && e.seq > after + 1, 90_000)
  await client.close()
  return persisted(all)
}

/**
 * The whole server in-process on a free port, with `groq/*` routed to the scripted server, the data under
 * `dir/data`, no sandbox and silent logs unless `env` and `logger` say otherwise. A ROUTER_CONFIG in `env`
 * replaces the `groq/*` config (which is then not written).
 */
export function startGroqServer(options: {
  dir: string
  openaiBaseUrl: string
  env?: Record<string, string>
  logger?: Logger
}): Promise<RunningServer> {
  const config = loadServerConfig(
    {
      DATA_DIR: join(options.dir, 'data'),
      PORT: '0',
      SANDBOX: 'none',
      GROQ_API_KEY: 'gsk_e2e_test_key_0123456789',
      ...options.env,
      ROUTER_CONFIG: options.env?.ROUTER_CONFIG ?? writeGroqRouterConfig(options.dir, options.openaiBaseUrl),
    },
    options.dir,
  )
  return startServer(config, {
    logger: options.logger ?? createLogger({ level: 'silent', secrets: () => [] }),
  })
}

/** Polls `find` every 100 ms until it returns something; fails after `timeoutMs` naming `what`. */
export async function eventually<T>(find: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = find()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js')
/** Output kept of a CLI process, from the end: enough for the last log lines and a crash's stack. */
const OUTPUT_KEPT = 64 * 1024

export interface CliServer {
  child: ChildProcess
  url: string
  /** The tail of everything the process wrote to stdout and stderr so far. */
  output(): string
}

/**
 * Starts `node dist/cli.js start` on a free port with `env` (plus PATH and HOME) and resolves once it says
 * where it listens (`agent-router: open <url>` on stdout, whatever LOG_LEVEL is).
 */
export async function startCli(options: { cwd: string; env: Record<string, string> }): Promise<CliServer> {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: run \`npm run build\` first (\`npm test\` builds before vitest)`)
  const child = spawn(process.execPath, [CLI, 'start'], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? options.cwd,
      PORT: '0',
      LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT)
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the CLI did not start in 30 s:\n${output}`)), 30_000)
    const onData = () => {
      const match = /^agent-router: open (http:\/\/\S+)$/m.exec(output)
      if (match?.[1] === undefined) return
      clearTimeout(timer)
      child.stdout?.off('data', onData)
      child.stderr?.off('data', onData)
      child.off('exit', onExit)
      resolve(match[1])
    }
    const onExit = (code: number | null, signal: string | null) => {
      clearTimeout(timer)
      reject(new Error(`the CLI exited during start (code ${code}, signal ${signal}):\n${output}`))
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', onExit)
  })
  return { child, url, output: () => output }
}
