import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ensureContainerBuilt } from '../../test/fixtures/ensure-built.js'
import { nodeHttpFetch } from './node-http-fetch.js'

const closers: (() => void)[] = []
afterEach(() => {
  for (const close of closers.splice(0)) close()
})

/** A raw upstream: `answer` gets each connection's received bytes so far and writes what it likes. */
async function rawUpstream(
  answer: (socket: Socket, received: string, connection: number) => void,
): Promise<{ url: string; connections: () => number }> {
  let connections = 0
  const server: Server = createServer((socket) => {
    const n = ++connections
    let received = ''
    socket.on('data', (d) => {
      received += d.toString('latin1')
      answer(socket, received, n)
    })
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(() => server.close())
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
  }
}

const requestCount = (received: string) => received.split('\r\n\r\n').length - 1

describe('nodeHttpFetch over the HTTP/1.1 client', () => {
  it('sends one request per connection at a time and reuses kept-alive connections', async () => {
    const seen: string[] = []
    const server = createHttpServer((req, res) => {
      let body = ''
      req.on('data', (d) => {
        body += d
      })
      req.on('end', () => {
        seen.push(
          `${req.method} ${req.url} ${req.headers['content-length']} ${req.headers.authorization} ${body}`,
        )
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ n: seen.length }))
      })
    })
    let connections = 0
    server.on('connection', () => connections++)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    closers.push(() => server.close())
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/x?y=1`
    for (let i = 1; i <= 3; i++) {
      const res = await nodeHttpFetch(url, {
        method: 'POST',
        headers: { Authorization: 'Bearer k', 'content-type': 'application/json' },
        body: `{"i":${i}}`,
      })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ n: i })
    }
    expect(seen).toEqual([
      'POST /v1/x?y=1 7 Bearer k {"i":1}',
      'POST /v1/x?y=1 7 Bearer k {"i":2}',
      'POST /v1/x?y=1 7 Bearer k {"i":3}',
    ])
    expect(connections).toBe(1)
  })

  it('sends a request again on a fresh connection when a kept-alive one was closed under it', async () => {
    const upstream = await rawUpstream((socket, received, connection) => {
      const n = requestCount(received)
      // The first connection answers once, then drops the second request without a word.
      if (connection === 1 && n === 2) return void socket.destroy()
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n${connection}${n}`)
    })
    expect(await (await nodeHttpFetch(`${upstream.url}/a`)).text()).toBe('11')
    expect(await (await nodeHttpFetch(`${upstream.url}/a`)).text()).toBe('21')
    expect(upstream.connections()).toBe(2)
  })

  it('reads chunked, length-framed and close-delimited answers, and a 1 MiB body intact', async () => {
    const big = 'x'.repeat(1024 * 1024)
    const upstream = await rawUpstream((socket, received) => {
      if (!received.endsWith('\r\n\r\n')) return
      const path = received.split('\r\n\r\n').at(-2)?.split(' ')[1]
      if (path === '/chunked')
        socket.write(
          'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n',
        )
      else if (path === '/close') socket.end('HTTP/1.1 200 OK\r\n\r\nuntil close')
      else socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${big.length}\r\n\r\n${big}`)
    })
    expect(await (await nodeHttpFetch(`${upstream.url}/chunked`)).text()).toBe('abcde')
    expect(await (await nodeHttpFetch(`${upstream.url}/close`)).text()).toBe('until close')
    expect(await (await nodeHttpFetch(`${upstream.url}/big`)).text()).toBe(big)
  })

  it('fails a body cut short, and an abort before or during the answer', async () => {
    const upstream = await rawUpstream((socket, received) => {
      if (received.startsWith('GET /cut')) socket.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort')
      else socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n')
    })
    await expect((await nodeHttpFetch(`${upstream.url}/cut`)).text()).rejects.toThrow(
      'the connection closed before the answer ended',
    )
    const controller = new AbortController()
    const res = await nodeHttpFetch(`${upstream.url}/slow`, { signal: controller.signal })
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('abc')
    controller.abort(new Error('client left'))
    await expect(reader.read()).rejects.toThrow('client left')
    const early = new AbortController()
    early.abort()
    await expect(nodeHttpFetch(`${upstream.url}/slow`, { signal: early.signal })).rejects.toThrow('aborted')
  })

  it('refuses header values that would split the request, before connecting', async () => {
    const upstream = await rawUpstream(() => {})
    await expect(
      nodeHttpFetch(`${upstream.url}/x`, { headers: { 'x-a': 'v\r\nx-injected: 1' } }),
    ).rejects.toThrow("invalid character in the value of header 'x-a'")
    expect(upstream.connections()).toBe(0)
  })

  it('names an unreachable upstream the way fetch does', async () => {
    const err = await nodeHttpFetch('http://127.0.0.1:1/x').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TypeError)
    expect((err as Error).message).toBe('fetch failed')
    expect(String((err as Error).cause)).toContain('ECONNREFUSED')
  })

  it('speaks TLS to https upstreams, verifying their certificate', async () => {
    const openssl = spawnSync('sh', ['-c', 'command -v openssl'])
    expect(openssl.status, 'openssl is installed by the test setup').toBe(0)
    ensureContainerBuilt()
    const dir = mkdtempSync(join(tmpdir(), 'tls-'))
    closers.push(() => rmSync(dir, { recursive: true, force: true }))
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' }) // biome-ignore format: argument pairs
    // Every answer closes its connection, so the second request needs a new one: it resumes the session.
    const server = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (req, res) => {
        res.setHeader('connection', 'close')
        res.end(`secure ${req.url}`)
      },
    )
    const resumed: boolean[] = []
    server.on('secureConnection', (socket) => resumed.push(socket.isSessionReused()))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    closers.push(() => server.close())
    const port = (server.address() as AddressInfo).port
    const script = `
      import { nodeHttpFetch } from ${JSON.stringify(join(process.cwd(), 'dist/router/node-http-fetch.js'))}
      const a = await (await nodeHttpFetch('https://localhost:${port}/one')).text()
      const b = await (await nodeHttpFetch('https://localhost:${port}/two')).text()
      process.stdout.write(a + '|' + b)`
    // Not spawnSync: this process serves the upstream meanwhile.
    const run = (env: Record<string, string>) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
          env: { ...process.env, ...env },
        })
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (d) => {
          stdout += d
        })
        child.stderr.on('data', (d) => {
          stderr += d
        })
        child.on('close', (status) => resolve({ status, stdout, stderr }))
      })
    const trusted = await run({ NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') })
    expect(trusted.stderr).toBe('')
    expect(trusted.stdout).toBe('secure /one|secure /two')
    expect(resumed).toEqual([false, true])
    const untrusted = await run({})
    expect(untrusted.status).not.toBe(0)
    expect(untrusted.stderr).toMatch(/self[- ]signed certificate/)
  })
})
