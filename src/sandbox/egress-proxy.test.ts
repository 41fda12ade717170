import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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

  const viaProxy = (url: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ socketPath: proxy.socketPath, path: url, method: 'GET' }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      req.on('error', reject)
      req.end()
    })

  it('forwards plain HTTP requests to an allowed host', async () => {
    expect(await viaProxy(`http://127.0.0.1:${port}/`)).toEqual({ status: 200, body: 'from the target' })
  })

  it('refuses other hosts with a 403 naming the allowlist', async () => {
    const refused = await viaProxy(`http://localhost:${port}/`)
    expect(refused.status).toBe(403)
    expect(refused.body).toContain('localhost is not on SANDBOX_EGRESS (127.0.0.1)')
  })
})
