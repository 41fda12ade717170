import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import { createServer as createNetServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type EgressProxy, isHostAllowed, startEgressProxy } from './egress-proxy.js'

describe('isHostAllowed', () => {
  it('allows exact names and subdomains of *.entries, case-insensitively, and nothing else', () => {
    const allow = ['registry.npmjs.org', '*.github.com']
    expect(isHostAllowed('registry.npmjs.org', allow)).toBe(true)
    expect(isHostAllowed('REGISTRY.npmjs.org.', allow)).toBe(true)
    expect(isHostAllowed('api.github.com', allow)).toBe(true)
    expect(isHostAllowed('github.com', allow)).toBe(false)
    expect(isHostAllowed('evilgithub.com', allow)).toBe(false)
    expect(isHostAllowed('registry.npmjs.org.evil.com', allow)).toBe(false)
    expect(isHostAllowed('127.0.0.1', allow)).toBe(false)
    expect(isHostAllowed('anything', [])).toBe(false)
  })
})

describe('egress proxy (loopback targets only)', () => {
  let dir: string
  let target: Server
  let port: number
  let proxy: EgressProxy

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ar-egress-'))
    target = createServer((_req, res) => res.end('from the target'))
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve))
    port = (target.address() as { port: number }).port
    proxy = await startEgressProxy({ socketPath: join(dir, 'egress.sock'), allow: ['127.0.0.1'] })
  })

  afterAll(async () => {
    await proxy.close()
    target.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const hosts: { close(): void }[] = []
  afterEach(() => {
    for (const host of hosts.splice(0)) host.close()
  })

  /** An allowed host that reads a request head, then does `answer` with the connection. */
  const rawHost = async (answer: (socket: Socket) => void): Promise<string> => {
    const host = createNetServer((socket) => {
      socket.on('error', () => {})
      let head = ''
      socket.on('data', (chunk) => {
        head += chunk.toString('latin1')
        if (head.includes('\r\n\r\n')) {
          head = ''
          answer(socket)
        }
      })
    })
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve))
    hosts.push(host)
    return `http://127.0.0.1:${(host.address() as { port: number }).port}/`
  }

  /** What a client of the proxy sees: the whole answer, or the error that cut it off and what came before. */
  const viaProxy = (url: string) =>
    new Promise<{ status: number; body: string; error?: string }>((resolve, reject) => {
      const req = request({ socketPath: proxy.socketPath, path: url, method: 'GET' }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        res.on('error', (err) => resolve({ status: res.statusCode ?? 0, body, error: err.message }))
      })
      req.on('error', reject)
      req.end()
    })

  it('forwards plain HTTP requests to an allowed host', async () => {
    expect(await viaProxy(`http://127.0.0.1:${port}/`)).toEqual({ status: 200, body: 'from the target' })
  })

  it('answers 502 when an allowed host sends a status HTTP does not allow', async () => {
    const url = await rawHost((socket) => socket.end('HTTP/1.1 099 Odd\r\ncontent-length: 2\r\n\r\nhi'))
    const answer = await viaProxy(url)
    expect(answer.status).toBe(502)
    expect(answer.body).toContain('unusable answer')
    expect(await viaProxy(`http://127.0.0.1:${port}/`)).toEqual({ status: 200, body: 'from the target' })
  })

  it('cuts the answer off when the host resets the connection mid-body, whatever its framing', async () => {
    for (const framing of ['transfer-encoding: chunked', 'content-length: 100']) {
      const part = framing.startsWith('transfer') ? '5\r\nhello\r\n' : 'hello'
      const url = await rawHost((socket) => {
        socket.write(`HTTP/1.1 200 OK\r\n${framing}\r\n\r\n${part}`, () =>
          setTimeout(() => socket.resetAndDestroy(), 20),
        )
      })
      expect(await viaProxy(url)).toEqual({ status: 200, body: 'hello', error: 'aborted' })
    }
  })

  it('closes the connection to the host when the client goes away mid-answer', {
    timeout: 5_000,
  }, async () => {
    let hostSawClose: () => void = () => {}
    const closed = new Promise<void>((resolve) => {
      hostSawClose = resolve
    })
    const url = await rawHost((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n')
      const ticker = setInterval(() => socket.write('5\r\nhello\r\n'), 5)
      socket.on('close', () => {
        clearInterval(ticker)
        hostSawClose()
      })
    })
    const req = request({ socketPath: proxy.socketPath, path: url, method: 'GET' }, (res) => {
      res.once('data', () => req.destroy())
    })
    req.on('error', () => {})
    req.end()
    await closed
  })

  it('refuses other hosts with a 403 naming the allowlist', async () => {
    const refused = await viaProxy(`http://localhost:${port}/`)
    expect(refused.status).toBe(403)
    expect(refused.body).toContain('localhost is not on SANDBOX_EGRESS (127.0.0.1)')
  })
})
