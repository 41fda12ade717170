/**
 * The Node side of the tests' stand-in for Cloudflare's container runtime: what runs "inside" each session's
 * container. It speaks the real container HTTP protocol (`POST /` NDJSON, `POST /permissions/:id`,
 * `GET /debug`, `GET /workspace/*`) with the scripted Claude Code of test/fixtures/scripted-container.ts,
 * on a real workspace folder per container (served by the real container server's workspace routes), and
 * enforces `max_instances` the way Cloudflare does: a start past it gets no instance.
 *
 * Prompts script the runs: `write <file> <text>` writes a file, `ask <file> <text>` asks permission first,
 * `hold` runs until `POST /__control/release` (or the turn is interrupted; `state` counts them), anything
 * else is echoed.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { workspaceRoutes } from '../../../src/container/workspace-routes.js'
import type { ClaudeCodeOptions } from '../../../src/protocol/claude-code-options.js'
import { type ScriptedRun, scriptedContainers } from '../../../test/fixtures/scripted-container.js'
import { CONTAINER_ID_HEADER, controlRequest, NO_INSTANCE, notListening } from './stand-in-protocol.js'

export interface ContainerHost {
  fetch(request: Request): Promise<Response>
  close(): void
}

export function createContainerHost(initialMaxInstances: number): ContainerHost {
  let maxInstances = initialMaxInstances
  const root = mkdtempSync(join(tmpdir(), 'cf-container-host-'))
  const running = new Map<string, Record<string, string>>()
  /** Runs waiting for `release` now. */
  let holding = 0
  let release: () => void = () => {}
  let released = new Promise<void>((resolve) => {
    release = resolve
  })
  const workspaceOf = (containerId: string) =>
    join(root, containerId.replace(/[^A-Za-z0-9_-]/g, '_'), 'workspace')
  const respond = (options: ClaudeCodeOptions): ScriptedRun => {
    const [verb, file, ...rest] = options.prompt.split(' ')
    if ((verb === 'write' || verb === 'ask') && file !== undefined) {
      const input = { file_path: `/workspace/${file}`, content: rest.join(' ') }
      return { toolCalls: [{ name: 'Write', input, ask: verb === 'ask' }], text: `Wrote ${file}.` }
    }
    if (verb === 'hold') {
      holding++
      return { holdUntil: released, text: 'Released.' }
    }
    return { text: `You said: ${options.prompt}` }
  }
  // One scripted Claude Code per container, writing into that container's workspace.
  const scripted = new Map<string, ReturnType<typeof scriptedContainers>>()
  const claudeOf = (containerId: string) => {
    let s = scripted.get(containerId)
    if (s === undefined) {
      s = scriptedContainers(() => workspaceOf(containerId), respond)
      scripted.set(containerId, s)
    }
    return s
  }

  const control = new Hono()
  control.post('/start', async (c) => {
    const id = c.req.header(CONTAINER_ID_HEADER)!
    if (!running.has(id) && running.size >= maxInstances) return c.text(NO_INSTANCE, 503)
    running.set(id, (await c.req.json()) as Record<string, string>)
    mkdirSync(workspaceOf(id), { recursive: true })
    return c.json({ ok: true })
  })
  // As on Cloudflare, a stopped (slept) container's disk is gone: its workspace, and the Claude Code
  // transcripts of every session it ran (the scripted container's ids: `claude-<session>-<run>`).
  control.post('/stop', (c) => {
    const id = c.req.header(CONTAINER_ID_HEADER)!
    running.delete(id)
    rmSync(workspaceOf(id), { recursive: true, force: true })
    const claude = scripted.get(id)
    for (const [index, run] of claude?.runs.entries() ?? [])
      claude?.lostTranscripts.add(run.resumeSessionId ?? `claude-${run.sessionId}-${index + 1}`)
    return c.json({ ok: true })
  })
  control.post('/release', (c) => {
    release()
    holding = 0
    released = new Promise<void>((resolve) => {
      release = resolve
    })
    return c.json({ ok: true })
  })
  control.post('/limit', async (c) => {
    const { max } = (await c.req.json()) as { max?: number }
    maxInstances = max ?? initialMaxInstances
    return c.json({ max: maxInstances })
  })
  control.post('/state', (c) => c.json({ running: Object.fromEntries(running), max: maxInstances, holding }))

  /** The container server of one container: scripted runs, and the real workspace routes. */
  const serverOf = (id: string) => {
    const app = new Hono()
    app.route('/workspace', workspaceRoutes(workspaceOf(id)))
    app.get('/debug', (c) => c.json({ scripted: true, env: Object.keys(running.get(id) ?? {}) }))
    app.post('/permissions/:requestId', async (c) => {
      const connection = await claudeOf(id).ensure(id, '')
      await connection.respondPermission(c.req.param('requestId'), await c.req.json())
      return c.json({ ok: true })
    })
    app.post('/', async (c) => {
      const options = (await c.req.json()) as ClaudeCodeOptions
      const connection = await claudeOf(id).ensure(id, options.model ?? '')
      const encoder = new TextEncoder()
      const abort = new AbortController()
      const lines = connection.run(options, abort.signal)[Symbol.asyncIterator]()
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          try {
            const next = await lines.next()
            if (next.done) controller.close()
            else controller.enqueue(encoder.encode(`${JSON.stringify(next.value)}\n`))
          } catch {
            controller.close()
          }
        },
        cancel: () => abort.abort(),
      })
      return new Response(body, { headers: { 'content-type': 'application/x-ndjson' } })
    })
    // Answers the runtime's readiness ping like any listening server.
    app.all('*', (c) => c.text('ok'))
    return app
  }

  return {
    async fetch(request) {
      const toControl = controlRequest(request)
      if (toControl !== undefined) return control.fetch(toControl)
      const id = request.headers.get(CONTAINER_ID_HEADER)
      if (id === null || !running.has(id)) return notListening()
      return serverOf(id).fetch(request)
    },
    close: () => rmSync(root, { recursive: true, force: true }),
  }
}
