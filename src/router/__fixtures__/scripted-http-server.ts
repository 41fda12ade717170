/**
 * A scripted upstream on a real loopback socket, for tests that go through the real `fetch`: every request is
 * recorded byte for byte (path, headers, raw body) and answered with the scripted status, headers and body
 * chunks (written one by one, with an optional pause before each, so streams really arrive in pieces).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ScriptedHttpReply {
  status?: number
  headers?: Record<string, string>
  chunks: string[]
  /** Pause before each chunk, in ms. */
  gapMs?: number
  /** Destroy the socket after the chunks instead of ending the response. */
  breakAfter?: boolean
}

export interface HttpRecord {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

export interface ScriptedHttpServer {
  url: string
  requests: HttpRecord[]
  close(): Promise<void>
}

export async function startScriptedHttpServer(
  reply: (request: HttpRecord) => ScriptedHttpReply,
): Promise<ScriptedHttpServer> {
  const requests: HttpRecord[] = []
  const server = createServer((req, res) => {
    const parts: Buffer[] = []
    req.on('data', (b: Buffer) => parts.push(b))
    req.on('end', async () => {
      const record = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(parts).toString('utf8'),
      }
      requests.push(record)
      const r = reply(record)
      res.writeHead(r.status ?? 200, r.headers ?? { 'content-type': 'application/json' })
      for (const chunk of r.chunks) {
        if (r.gapMs) await new Promise((resolve) => setTimeout(resolve, r.gapMs))
        res.write(chunk)
      }
      if (r.breakAfter) res.socket?.destroy()
      else res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
