/**
 * The ContainerClient over a unix socket: plain node:http with `socketPath`, NDJSON read line by line as it
 * arrives. Transport failures and HTTP errors become AppErrors; an AbortSignal destroys the request.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { ndjsonLines } from '../agent/container-http-client.js'
import type { ClaudeCodeOptions } from '../protocol/claude-code-options.js'
import { AppError, ERROR_STATUS, type ErrorType } from '../protocol/errors.js'
import type { ContainerClient } from './types.js'

const MAX_ERROR_BODY = 64 * 1024

interface RequestInit {
  method: 'GET' | 'POST'
  path: string
  body?: string
  signal?: AbortSignal
}

function isErrorType(value: unknown): value is ErrorType {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value)
}

function abortReason(signal: AbortSignal | undefined, err: unknown): unknown {
  if (signal?.aborted) return signal.reason ?? new DOMException('This operation was aborted', 'AbortError')
  return err
}

export class UnixSocketContainerClient implements ContainerClient {
  constructor(
    readonly socketPath: string,
    private readonly label: string = socketPath,
  ) {}

  private transportError(err: unknown): AppError {
    const code = (err as NodeJS.ErrnoException).code
    const detail = code ?? (err instanceof Error ? err.message : String(err))
    return new AppError('api_error', `container ${this.label} is not reachable (${detail}); is it running?`, {
      status: 502,
      retryable: true,
      cause: err,
    })
  }

  /** Sends one request; resolves with the response once its headers arrive. */
  private send(init: RequestInit): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { accept: 'application/json, application/x-ndjson' }
      if (init.body !== undefined) {
        headers['content-type'] = 'application/json'
        headers['content-length'] = Buffer.byteLength(init.body)
      }
      const req = httpRequest({
        socketPath: this.socketPath,
        path: init.path,
        method: init.method,
        headers,
        signal: init.signal,
      })
      req.once('response', resolve)
      req.once('error', (err) =>
        reject(init.signal?.aborted ? abortReason(init.signal, err) : this.transportError(err)),
      )
      req.end(init.body)
    })
  }

  /** Reads an error answer into an AppError carrying the container's type and message. */
  private async httpError(res: IncomingMessage): Promise<AppError> {
    let text = ''
    res.setEncoding('utf8')
    try {
      for await (const chunk of res) {
        text += chunk as string
        if (text.length > MAX_ERROR_BODY) break
      }
    } catch {
      // keep what arrived
    }
    res.destroy()
    const status = res.statusCode ?? 502
    try {
      const body = JSON.parse(text) as { error?: { type?: unknown; message?: unknown } }
      const type = isErrorType(body.error?.type) ? body.error.type : 'api_error'
      const message = typeof body.error?.message === 'string' ? body.error.message : text.slice(0, 500)
      return new AppError(type, message, { status, retryable: status >= 500 })
    } catch {
      return new AppError('api_error', `container ${this.label} answered ${status}: ${text.slice(0, 500)}`, {
        status: status >= 400 ? status : 502,
        retryable: status >= 500,
      })
    }
  }

  private async json(path: string): Promise<unknown> {
    const res = await this.send({ method: 'GET', path })
    if ((res.statusCode ?? 500) >= 400) throw await this.httpError(res)
    let text = ''
    res.setEncoding('utf8')
    try {
      for await (const chunk of res) text += chunk as string
    } catch (err) {
      throw this.transportError(err)
    }
    try {
      return JSON.parse(text) as unknown
    } catch {
      throw new AppError('api_error', `container ${this.label} sent invalid JSON for ${path}`, {
        status: 502,
      })
    }
  }

  health(): Promise<unknown> {
    return this.json('/')
  }

  async respondPermission(requestId: string, decision: { allow: boolean; message?: string }): Promise<void> {
    const res = await this.send({
      method: 'POST',
      path: `/permissions/${encodeURIComponent(requestId)}`,
      body: JSON.stringify(decision),
    })
    if ((res.statusCode ?? 500) >= 400) throw await this.httpError(res)
    res.resume()
  }

  debug(): Promise<unknown> {
    return this.json('/debug')
  }

  ready(): Promise<unknown> {
    return this.json('/ready')
  }

  async *run(options: ClaudeCodeOptions, signal?: AbortSignal): AsyncGenerator<unknown, void> {
    if (signal?.aborted) throw abortReason(signal, undefined)
    const res = await this.send({ method: 'POST', path: '/', body: JSON.stringify(options), signal })
    if ((res.statusCode ?? 500) >= 400) throw await this.httpError(res)
    res.setEncoding('utf8')
    try {
      yield* ndjsonLines(res as AsyncIterable<string>, this.label)
    } catch (err) {
      if (err instanceof AppError) throw err
      if (signal?.aborted) throw abortReason(signal, err)
      throw new AppError(
        'api_error',
        `connection to container ${this.label} broke mid-run: ${(err as Error).message}`,
        {
          status: 502,
          retryable: false,
          cause: err,
        },
      )
    } finally {
      res.destroy()
    }
  }
}

/** A client for the container server listening on `socketPath`; `label` names it in error messages. */
export function createUnixSocketClient(socketPath: string, label?: string): ContainerClient {
  return new UnixSocketContainerClient(socketPath, label)
}
