/**
 * The Node side of the tests' stand-in for Cloudflare's container runtime: what runs "inside" each session's
 * container. It speaks the real container HTTP protocol (`POST /` NDJSON, `POST /permissions/:id`,
 * `GET /debug`, `GET /workspace/*`, `GET|PUT /archive`) with the scripted Claude Code of
 * test/fixtures/scripted-container.ts, on a real disk per container (a workspace, and a CLAUDE_CONFIG_DIR
 * holding a transcript per Claude Code session, served by the real container server's workspace and archive
 * routes; a stopped container's disk is wiped), and
 * enforces `max_instances` the way Cloudflare does: a start past it gets no instance.
 *
 * Prompts script the runs: `write <file> <text>` writes a file, `ask <file> <text>` asks permission first,
 * `hold [<file> <text>]` (writes the file, then) runs until `POST /__control/release` (or the turn is
 * interrupted; `state` counts them), anything else is echoed.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { secretValuesOf } from '../../../src/container/redact.js'
import { checkTranscript } from '../../../src/container/transcript-check.js'
import { archiveRoutes } from '../../../src/container/workspace/archive-routes.js'
import { workspaceRoutes } from '../../../src/container/workspace/workspace-routes.js'
import type { ClaudeCodeOptions } from '../../../src/protocol/claude-code-options.js'
import { toAppError } from '../../../src/protocol/errors.js'
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
  const diskOf = (containerId: string) => join(root, containerId.replace(/[^A-Za-z0-9_-]/g, '_'))
  const workspaceOf = (containerId: string) => join(diskOf(containerId), 'workspace')
  /** CLAUDE_CONFIG_DIR: the scripted Claude Code keeps a transcript per session there, as the real one does. */
  const claudeDirOf = (containerId: string) => join(diskOf(containerId), 'claude')
  const respond = (options: ClaudeCodeOptions): ScriptedRun => {
    const [verb, file, ...rest] = options.prompt.split(' ')
    if ((verb === 'write' || verb === 'ask') && file !== undefined) {
      const input = { file_path: `/workspace/${file}`, content: rest.join(' ') }
      return { toolCalls: [{ name: 'Write', input, ask: verb === 'ask' }], text: `Wrote ${file}.` }
    }
    if (verb === 'hold') {
      holding++
      // `hold <file> <text>` writes the file first, then holds.
      const toolCalls =
        file === undefined
          ? []
          : [{ name: 'Write', input: { file_path: `/workspace/${file}`, content: rest.join(' ') } }]
      return { toolCalls, holdUntil: released, text: 'Released.' }
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

  /** Claude Code's transcript, `<CLAUDE_CONFIG_DIR>/projects/-workspace/<session>.jsonl`: one line per message. */
  const appendTranscript = (containerId: string, line: unknown) => {
    const sessionId = (line as { session_id?: unknown }).session_id
    if (typeof sessionId !== 'string') return
    const folder = join(claudeDirOf(containerId), 'projects', '-workspace')
    mkdirSync(folder, { recursive: true })
    appendFileSync(join(folder, `${sessionId}.jsonl`), `${JSON.stringify(line)}\n`)
  }

  const control = new Hono()
  control.post('/start', async (c) => {
    const id = c.req.header(CONTAINER_ID_HEADER)!
    if (!running.has(id) && running.size >= maxInstances) return c.text(NO_INSTANCE, 503)
    running.set(id, (await c.req.json()) as Record<string, string>)
    mkdirSync(workspaceOf(id), { recursive: true })
    return c.json({ ok: true })
  })
  // As on Cloudflare, a stopped (slept) container's disk is gone: its workspace and Claude Code's transcripts.
  control.post('/stop', (c) => {
    const id = c.req.header(CONTAINER_ID_HEADER)!
    running.delete(id)
    rmSync(diskOf(id), { recursive: true, force: true })
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
    // As the container server answers errors (src/container/app.ts).
    app.onError((err, c) => {
      const error = toAppError(err)
      return c.json(error.toJSON(), error.status as ContentfulStatusCode)
    })
    app.route('/workspace', workspaceRoutes(workspaceOf(id)))
    app.route(
      '/archive',
      archiveRoutes(
        { workspaceDir: workspaceOf(id), claudeDir: claudeDirOf(id) },
        secretValuesOf(running.get(id) ?? {}),
      ),
    )
    app.get('/debug', (c) => c.json({ scripted: true, env: Object.keys(running.get(id) ?? {}) }))
    app.post('/permissions/:requestId', async (c) => {
      const connection = await claudeOf(id).ensure(id, '')
      await connection.respondPermission(c.req.param('requestId'), await c.req.json())
      return c.json({ ok: true })
    })
    app.post('/', async (c) => {
      const options = (await c.req.json()) as ClaudeCodeOptions
      const claude = claudeOf(id)
      // As the real container server does (transcript-check.ts): a session whose transcript is not on this
      // disk cannot be resumed.
      const resume = options.resumeSessionId
      if (resume !== undefined && checkTranscript(claudeDirOf(id), resume) !== undefined)
        claude.lostTranscripts.add(resume)
      else if (resume !== undefined) claude.lostTranscripts.delete(resume)
      const connection = await claude.ensure(id, options.model ?? '')
      const encoder = new TextEncoder()
      const abort = new AbortController()
      const lines = connection.run(options, abort.signal)[Symbol.asyncIterator]()
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          try {
            const next = await lines.next()
            if (next.done) controller.close()
            else {
              appendTranscript(id, next.value)
              controller.enqueue(encoder.encode(`${JSON.stringify(next.value)}\n`))
            }
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
