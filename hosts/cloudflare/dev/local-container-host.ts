/**
 * The local container runtime of `npm run dev`: what Cloudflare's container runtime does for the deployed
 * Worker, done on this machine. It speaks the container runtime stand-in's protocol (test/stand-in-protocol.ts,
 * the one test/container-host.ts speaks for the tests) to the development Worker (dev/worker.ts):
 *
 * - `POST /__control/start` (header `x-container-id`, body: the container's environment) starts the real
 *   container server (`dist/container/main.js`, the image's entry) in a bwrap sandbox, the same driver the Node
 *   host uses; past `max_instances` it answers Cloudflare's "no instance" words with a 503, and the turn waits;
 * - `POST /__control/stop` stops it, and, as on Cloudflare, its disk (workspace and transcripts) goes with it;
 * - `POST /__control/alive` says whether it still runs (the Worker asks before a turn: see dev/worker.ts);
 * - any other request with `x-container-id` is the container's port 8080: proxied to its server's socket.
 *
 * The sandboxes have no network. Their `http://router.internal` (ANTHROPIC_BASE_URL) leads, through the
 * driver's loopback forwarder, to a unix socket here that passes each call to the development Worker
 * (dev/runtime-protocol.ts), where the session's container object answers it with its outbound handler, the
 * one that answers `router.internal` on Cloudflare: provider keys stay in the Worker.
 */
import { timingSafeEqual } from 'node:crypto'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { Hono } from 'hono'
import { Agent, type BodyInit as UndiciBody, fetch as undiciFetch } from 'undici'
import { z } from 'zod'
import { createBwrapDriver } from '../../../src/sandbox/drivers/bwrap/index.js'
import { containerSocketPath, serveOnUnixSocket } from '../../../src/sandbox/host-socket.js'
import type { SandboxHandle, SandboxLogger } from '../../../src/sandbox/types.js'
import { CONTAINER_ID_HEADER, controlRequest, NO_INSTANCE, notListening } from '../test/stand-in-protocol.js'
import { ALIVE_PATH, OUTBOUND_PATH, RUNTIME_TOKEN_HEADER } from './runtime-protocol.js'

export interface LocalContainerHostOptions {
  /** The repository root: its `dist/` (container server) and `node_modules/` are bound into each sandbox. */
  packageRoot: string
  /** Where the sandboxes' folders and sockets go (removed by `close`). */
  stateDir: string
  /** Sandboxes running at once (wrangler.jsonc's `max_instances`). */
  maxInstances: number
  /** What every request must carry in RUNTIME_TOKEN_HEADER (the Worker has it as CONTAINER_RUNTIME_TOKEN). */
  token: string
  /** The development Worker's origin, where the containers' outbound HTTP goes. */
  workerUrl: () => string
  logger: SandboxLogger
}

export interface LocalContainerHost {
  fetch(request: Request): Promise<Response>
  /** Container ids with a running sandbox. */
  running(): string[]
  /** Stops every sandbox and the router socket, and removes the state dir. */
  close(): Promise<void>
}

/** The environment the Worker starts a container with: names and values, nothing else. */
const StartBody = z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.string())
/** The Durable Object id of a ClaudeCodeContainer (64 hex digits); it names the sandbox's folders. */
const ContainerId = z.string().regex(/^[0-9a-f]{64}$/)

/** How long a liveness ping waits before it takes the container as busy but alive. */
const ALIVE_PING_MS = 10_000

/** Headers a proxy must not pass on (hop-by-hop, or set by the client that sends the request again). */
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'content-length']

function forwardable(headers: Headers): Record<string, string> {
  const out = new Headers(headers)
  for (const name of HOP_BY_HOP) out.delete(name)
  out.delete(CONTAINER_ID_HEADER)
  out.delete(RUNTIME_TOKEN_HEADER)
  return Object.fromEntries(out)
}

/** `request` sent again to `url` (over `dispatcher` when given), its answer streamed back as it comes. */
async function proxy(request: Request, url: string, dispatcher?: Agent): Promise<Response> {
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD'
  const res = await undiciFetch(url, {
    method: request.method,
    headers: forwardable(request.headers),
    // The same web stream class at runtime; undici's types describe it separately from the DOM's.
    body: hasBody ? (request.body as UndiciBody | null) : null,
    duplex: 'half',
    signal: request.signal,
    redirect: 'manual',
    ...(dispatcher !== undefined && { dispatcher }),
  })
  const headers = new Headers([...res.headers])
  // undici has decoded an encoded body already: its length and encoding would describe the encoded one. Any
  // other keeps its length (the workspace archive's receiver needs it).
  if (headers.has('content-encoding')) {
    headers.delete('content-encoding')
    headers.delete('content-length')
  }
  return new Response(res.body as ReadableStream<Uint8Array> | null, { status: res.status, headers })
}

interface Running {
  handle: SandboxHandle
  /** The host side of the container server's unix socket. */
  socketPath: string
  dispatcher: Agent
  dir: string
}

export async function createLocalContainerHost(
  options: LocalContainerHostOptions,
): Promise<LocalContainerHost> {
  const { logger } = options
  const expectedToken = new TextEncoder().encode(options.token)
  mkdirSync(options.stateDir, { recursive: true })
  const routerSocket = join(options.stateDir, 'router.sock')
  const router = await serveOnUnixSocket((request) => {
    const url = new URL(request.url)
    return proxy(request, `${options.workerUrl()}${OUTBOUND_PATH}${url.pathname}${url.search}`).catch(
      (err: unknown) =>
        Response.json(
          {
            type: 'error',
            error: { type: 'api_error', message: `the Worker's router is unreachable: ${String(err)}` },
          },
          { status: 502 },
        ),
    )
  }, routerSocket)
  const driver = createBwrapDriver({
    stateDir: join(options.stateDir, 'bwrap'),
    routerSocket,
    packageRoot: options.packageRoot,
  })
  const command = [process.execPath, join(options.packageRoot, 'dist/container/main.js')]
  const running = new Map<string, Running>()
  /** Starts under way, so a second start of the same container waits for the first. */
  const starting = new Map<string, Promise<void>>()

  const stop = async (id: string): Promise<void> => {
    await starting.get(id)?.catch(() => {})
    const container = running.get(id)
    if (container === undefined) return
    running.delete(id)
    await container.handle.stop()
    await container.dispatcher.close().catch(() => {})
    rmSync(container.dir, { recursive: true, force: true })
    logger.info({ container: id }, 'container stopped')
  }

  /**
   * False when the container's server is gone, even if its exit has not been noticed yet (its socket refuses
   * or drops a new connection). A slow answer counts as serving: a busy machine must not get a live container
   * replaced.
   */
  const stillServing = async (id: string): Promise<boolean> => {
    const container = running.get(id)
    if (container === undefined) return false
    // A connection of its own: a kept-alive one of the proxy may have been cut by the server's death, or not yet.
    const probe = new Agent({ connect: { socketPath: container.socketPath } })
    try {
      const res = await undiciFetch('http://container/', {
        dispatcher: probe,
        signal: AbortSignal.timeout(ALIVE_PING_MS),
      })
      await res.body?.cancel()
      return true
    } catch (err) {
      // Refused, reset or closed unanswered on a fresh connection: the server is gone or on its way out
      // (its socket outlives it by a moment). Only no answer in time counts as a busy, live server.
      return err instanceof Error && err.name === 'TimeoutError'
    } finally {
      probe.close().catch(() => {})
    }
  }

  const start = async (id: string, env: Record<string, string>): Promise<void> => {
    const dir = join(options.stateDir, 'containers', id.slice(0, 16))
    const spec = {
      sessionId: id.slice(0, 16),
      workspaceDir: join(dir, 'workspace'),
      claudeDir: join(dir, 'claude'),
      runDir: join(dir, 'run'),
      env,
    }
    const handle = await driver.start(spec, command, { logger })
    const socketPath = containerSocketPath(spec.runDir)
    const dispatcher = new Agent({ connect: { socketPath } })
    running.set(id, { handle, socketPath, dispatcher, dir })
    logger.info({ container: id, pid: handle.pid }, 'container started')
    // A container that ends on its own (a crash, a limit) is gone, as on Cloudflare; its next start is fresh.
    handle.exited.then((exit) => {
      if (running.get(id)?.handle !== handle) return
      logger.warn({ container: id, ...exit }, 'container exited')
      running.delete(id)
      dispatcher.close().catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    })
  }

  const control = new Hono()
  control.onError((err, c) => c.json({ error: { type: 'api_error', message: err.message } }, 500))
  control.post('/start', async (c) => {
    const id = ContainerId.safeParse(c.req.header(CONTAINER_ID_HEADER))
    if (!id.success)
      return c.json(
        { error: { type: 'invalid_request_error', message: `${CONTAINER_ID_HEADER}: 64 hex digits` } },
        400,
      )
    const env = StartBody.safeParse(await c.req.json().catch(() => undefined))
    if (!env.success)
      return c.json(
        {
          error: {
            type: 'invalid_request_error',
            message: 'the body must be the container environment: {NAME: "value"}',
          },
        },
        400,
      )
    await starting.get(id.data)?.catch(() => {})
    if (running.has(id.data)) {
      if (await stillServing(id.data)) return c.json({ ok: true })
      // Ended a moment ago, before its exit was noticed: clear it away, then start afresh.
      await stop(id.data)
    }
    if (running.size + starting.size >= options.maxInstances) return c.text(NO_INSTANCE, 503)
    const started = start(id.data, env.data)
    starting.set(id.data, started)
    try {
      await started
    } finally {
      starting.delete(id.data)
    }
    return c.json({ ok: true })
  })
  control.post('/stop', async (c) => {
    const id = ContainerId.safeParse(c.req.header(CONTAINER_ID_HEADER))
    if (!id.success)
      return c.json(
        { error: { type: 'invalid_request_error', message: `${CONTAINER_ID_HEADER}: 64 hex digits` } },
        400,
      )
    await stop(id.data)
    return c.json({ ok: true })
  })
  control.post(`/${ALIVE_PATH}`, async (c) => {
    const id = c.req.header(CONTAINER_ID_HEADER)
    return id !== undefined && (await stillServing(id))
      ? c.json({ alive: true })
      : c.json({ alive: false }, 404)
  })
  control.post('/state', (c) => c.json({ running: [...running.keys()], max: options.maxInstances }))

  return {
    async fetch(request) {
      const presented = new TextEncoder().encode(request.headers.get(RUNTIME_TOKEN_HEADER) ?? '')
      if (presented.length !== expectedToken.length || !timingSafeEqual(presented, expectedToken))
        return Response.json(
          { error: { type: 'authentication_error', message: `missing or wrong ${RUNTIME_TOKEN_HEADER}` } },
          { status: 401 },
        )
      const toControl = controlRequest(request)
      if (toControl !== undefined) return control.fetch(toControl)
      const id = request.headers.get(CONTAINER_ID_HEADER)
      const container = id === null ? undefined : running.get(id)
      if (container === undefined) return notListening()
      const url = new URL(request.url)
      try {
        return await proxy(request, `http://container${url.pathname}${url.search}`, container.dispatcher)
      } catch (err) {
        if (request.signal.aborted) throw err
        // The server went away between the lookup and the call: as a port nobody listens on.
        return notListening()
      }
    },
    running: () => [...running.keys()],
    async close() {
      await Promise.all([...starting.keys(), ...running.keys()].map((id) => stop(id).catch(() => {})))
      await driver.close()
      await router.close()
      rmSync(options.stateDir, { recursive: true, force: true })
    },
  }
}
