/**
 * The container protocol (DESIGN.md: `POST /` NDJSON run, `POST /permissions/:id`, `GET /debug`, and the
 * workspace routes of src/container/workspace/workspace-routes.ts) over any Web `fetch`: how a host whose
 * container is reached by a Request (a Cloudflare Container Durable Object) talks to it. Errors become AppErrors
 * carrying the container's type and message.
 */
import type { ClaudeCodeOptions } from '../protocol/claude-code-options.js'
import { AppError, ERROR_STATUS, type ErrorType } from '../protocol/errors.js'
import {
  snapshotFromBody,
  type WorkspaceSnapshot,
  WorkspaceSnapshotBody,
} from '../protocol/workspace-snapshot.js'
import {
  DOWNLOAD_HEADERS,
  dropTheRest,
  MAX_UPLOAD_BYTES,
  uploadTooLarge,
  type WorkspaceDownload,
} from '../protocol/workspace-transfers.js'
import type { PermissionDecision } from './permission-broker.js'

export type ContainerFetch = (request: Request) => Promise<Response>

const ORIGIN = 'http://container'
const MAX_ERROR_CHARS = 64 * 1024

function isErrorType(value: unknown): value is ErrorType {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value)
}

/** An error answer as an AppError carrying the container's type and message. */
async function httpError(res: Response, label: string): Promise<AppError> {
  const text = (await res.text().catch(() => '')).slice(0, MAX_ERROR_CHARS)
  try {
    const body = JSON.parse(text) as { error?: { type?: unknown; message?: unknown } }
    if (typeof body.error?.message === 'string') {
      const type = isErrorType(body.error.type) ? body.error.type : 'api_error'
      return new AppError(type, body.error.message, { status: res.status, retryable: res.status >= 500 })
    }
  } catch {
    // not JSON: said below as it came
  }
  return new AppError('api_error', `container ${label} answered ${res.status}: ${text.slice(0, 500)}`, {
    status: res.status >= 400 ? res.status : 502,
    retryable: res.status >= 500,
  })
}

/** The text of a response body, chunk by chunk; leaving early cancels the body. */
async function* textOf(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      yield decoder.decode(value, { stream: true })
    }
    yield decoder.decode()
  } finally {
    await reader.cancel().catch(() => {})
  }
}

/** Parsed NDJSON lines of a text stream split anywhere; says which container sent a line that is not JSON. */
export async function* ndjsonLines(chunks: AsyncIterable<string>, label: string): AsyncGenerator<unknown> {
  const parse = (line: string): unknown => {
    try {
      return JSON.parse(line) as unknown
    } catch {
      throw new AppError(
        'api_error',
        `container ${label} sent a line that is not JSON: ${line.slice(0, 200)}`,
        {
          status: 502,
        },
      )
    }
  }
  let buffer = ''
  for await (const chunk of chunks) {
    buffer += chunk
    let newline = buffer.indexOf('\n')
    while (newline !== -1) {
      const line = buffer.slice(0, newline).trim()
      buffer = buffer.slice(newline + 1)
      if (line !== '') yield parse(line)
      newline = buffer.indexOf('\n')
    }
  }
  const rest = buffer.trim()
  if (rest !== '') yield parse(rest)
}

/** A request body sent as it is read (the platform type of RequestInit may not know `duplex` yet). */
type StreamingInit = RequestInit & { duplex?: 'half' }

const emptyBody = () => new ReadableStream<Uint8Array>({ start: (controller) => controller.close() })

export class ContainerHttpClient {
  constructor(
    private readonly send: ContainerFetch,
    private readonly label: string,
  ) {}

  private async request(path: string, init: StreamingInit = {}): Promise<Response> {
    let res: Response
    try {
      res = await this.send(new Request(`${ORIGIN}${path}`, init))
    } catch (err) {
      if (init.signal?.aborted) throw init.signal.reason
      throw new AppError(
        'api_error',
        `container ${this.label} is not reachable (${(err as Error).message})`,
        {
          status: 502,
          retryable: true,
          cause: err,
        },
      )
    }
    if (res.status >= 400) throw await httpError(res, this.label)
    return res
  }

  private async json(path: string, init?: StreamingInit): Promise<unknown> {
    const res = await this.request(path, init)
    try {
      return (await res.json()) as unknown
    } catch {
      throw new AppError('api_error', `container ${this.label} sent invalid JSON for ${path}`, {
        status: 502,
      })
    }
  }

  async *run(options: ClaudeCodeOptions, signal?: AbortSignal): AsyncGenerator<unknown, void> {
    const res = await this.request('/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(options),
      ...(signal !== undefined && { signal }),
    })
    if (res.body === null) return
    const onAbort = () => res.body?.cancel().catch(() => {})
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      // Leaving early (an interrupted turn) cancels the body, which stops the container's run.
      yield* ndjsonLines(textOf(res.body), this.label)
    } catch (err) {
      if (signal?.aborted) throw signal.reason
      if (err instanceof AppError) throw err
      throw new AppError(
        'api_error',
        `connection to container ${this.label} broke mid-run: ${(err as Error).message}`,
        {
          status: 502,
          cause: err,
        },
      )
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }

  async respondPermission(requestId: string, decision: PermissionDecision): Promise<void> {
    const res = await this.request(`/permissions/${encodeURIComponent(requestId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(decision),
    })
    await res.arrayBuffer()
  }

  debug(): Promise<unknown> {
    return this.json('/debug')
  }

  /**
   * `GET /workspace/snapshot`: the workspace fingerprints the agent diffs for file-change events, and the
   * changed files' diffs since the container's previous snapshot.
   */
  async snapshot(): Promise<WorkspaceSnapshot> {
    const body = WorkspaceSnapshotBody.safeParse(await this.json('/workspace/snapshot'))
    if (!body.success)
      throw new AppError(
        'api_error',
        `the container's workspace snapshot is malformed: ${body.error.message}`,
      )
    return snapshotFromBody(body.data)
  }

  /** `GET /workspace/files` or `/workspace/files/<path>`, as the container answers it. */
  files(path?: string): Promise<unknown> {
    return this.json(path === undefined ? '/workspace/files' : `/workspace/files/${encodeURIComponent(path)}`)
  }

  /**
   * `PUT /workspace/files/<path>`: `body` streamed into the container as it arrives (never held here), refusing
   * to replace a file unless `replace` (409) or when it is over `maxBytes` (413), as the Node host does. A body
   * over the limit ends one chunk past it: the container has seen enough to refuse it, nothing more is sent, and
   * the rest is read and dropped (a 413 here even if the connection broke before the container's answer).
   */
  async writeFile(
    path: string,
    body: ReadableStream<Uint8Array> | null,
    { replace, maxBytes = MAX_UPLOAD_BYTES }: { replace: boolean; maxBytes?: number },
  ): Promise<unknown> {
    let size = 0
    const reader = body?.getReader()
    const counted =
      reader &&
      new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (size > maxBytes) {
            await dropTheRest(reader)
            return controller.close()
          }
          const next = await reader.read()
          if (next.done) return controller.close()
          size += next.value.byteLength
          controller.enqueue(next.value)
        },
        cancel: (reason) => reader.cancel(reason),
      })
    const query = replace ? '?replace=true' : ''
    try {
      return await this.json(`/workspace/files/${encodeURIComponent(path)}${query}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: counted ?? null,
        ...(counted !== undefined && { duplex: 'half' }),
      })
    } catch (err) {
      throw size > maxBytes ? uploadTooLarge(maxBytes, path) : err
    }
  }

  /** `GET /workspace/download`: the whole workspace as a zip, streamed from the container. */
  async archive(): Promise<ReadableStream<Uint8Array>> {
    const res = await this.request('/workspace/download')
    return res.body ?? emptyBody()
  }

  /** `GET /workspace/download/<path>`: one file's bytes, streamed from the container. */
  async download(path: string): Promise<WorkspaceDownload> {
    const res = await this.request(`/workspace/download/${encodeURIComponent(path)}`)
    const named = res.headers.get(DOWNLOAD_HEADERS.path)
    let resolved = path
    try {
      if (named !== null) resolved = decodeURIComponent(named)
    } catch {
      // the name as asked
    }
    return {
      body: res.body ?? emptyBody(),
      size: Number(res.headers.get(DOWNLOAD_HEADERS.size) ?? res.headers.get('content-length') ?? 0),
      path: resolved,
    }
  }
}
