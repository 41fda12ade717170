/** Shared pieces of the end-to-end tests: a temp data dir, a router config, a WebSocket client that collects events. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
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
 * `dir/data`, no sandbox and silent logs unless `env` and `logger` say otherwise.
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
      ROUTER_CONFIG: writeGroqRouterConfig(options.dir, options.openaiBaseUrl),
      PORT: '0',
      SANDBOX: 'none',
      GROQ_API_KEY: 'gsk_e2e_test_key_0123456789',
      ...options.env,
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
