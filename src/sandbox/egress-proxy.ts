/**
 * The optional way out of a sandbox (SANDBOX_EGRESS=host1,host2): an HTTP proxy on a host unix socket,
 * bound into every sandbox and reached there as HTTPS_PROXY/HTTP_PROXY through a loopback forwarder. It
 * tunnels `CONNECT host:port` and forwards absolute-form `http://` requests only for hosts on the list
 * (exact names, or `*.example.com` for subdomains), and refuses everything else with a 403 that says why.
 */
import { existsSync, mkdirSync, unlinkSync } from 'node:fs'
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http'
import { connect, type Socket } from 'node:net'
import { dirname } from 'node:path'
import { pipeline } from 'node:stream'
import { type SandboxLogger, silentLogger } from './types.js'

export interface EgressProxyOptions {
  socketPath: string
  /** Host names (lower case); `*.example.com` allows every subdomain of example.com. */
  allow: string[]
  logger?: SandboxLogger
}

export interface EgressProxy {
  socketPath: string
  close(): Promise<void>
}

/** True when `host` is on the allowlist. */
export function isHostAllowed(host: string, allow: string[]): boolean {
  const name = host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
  return allow.some((entry) =>
    entry.startsWith('*.') ? name.endsWith(entry.slice(1)) && name.length > entry.length - 1 : name === entry,
  )
}

/** Splits `host:port` / `[v6]:port` (CONNECT's request target). */
function splitAuthority(authority: string): { host: string; port: number } | undefined {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(authority)
  if (!match) return undefined
  const port = Number(match[2])
  return port > 0 && port < 65536 ? { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port } : undefined
}

function refuse(socket: Socket, status: string, message: string): void {
  socket.end(
    `HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(message)}\r\nconnection: close\r\n\r\n${message}`,
  )
}

const notAllowed = (host: string, allow: string[]) =>
  `agent-router egress proxy: ${host} is not on SANDBOX_EGRESS (${allow.join(', ') || 'empty'})\n`

/** Starts the proxy on `socketPath` (replacing a stale socket file). */
export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const logger = options.logger ?? silentLogger
  const { allow } = options
  const server: Server = createServer((req, res) => {
    let target: URL
    try {
      target = new URL(req.url ?? '')
    } catch {
      res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end('agent-router egress proxy: expected an absolute URL\n')
      return
    }
    if (target.protocol !== 'http:' || !isHostAllowed(target.hostname, allow)) {
      logger.warn({ host: target.hostname }, 'sandbox egress refused')
      res.writeHead(403, { 'content-type': 'text/plain' }).end(notAllowed(target.hostname, allow))
      return
    }
    /** A 502 saying why, or, once the answer has begun, a cut-off connection so the client sees it broke. */
    const badGateway = (reason: string) => {
      if (res.headersSent) res.destroy()
      else
        res
          .writeHead(502, { 'content-type': 'text/plain' })
          .end(`agent-router egress proxy: ${target.host}: ${reason}\n`)
    }
    const upstream = httpRequest(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer: IncomingMessage) => {
        try {
          // Node refuses to send some heads its parser reads, a status below 100 for one.
          res.writeHead(answer.statusCode ?? 502, answer.headers)
        } catch (err) {
          answer.destroy()
          badGateway(`unusable answer: ${err instanceof Error ? err.message : String(err)}`)
          return
        }
        // An answer cut short upstream is cut short here too, not ended as if complete.
        pipeline(answer, res, () => {})
      },
    )
    upstream.on('error', (err) => {
      if (!res.writableEnded) badGateway(err.message)
    })
    // The client went away (or was answered): nothing more is read from or sent to the host for it.
    res.on('close', () => upstream.destroy())
    req.pipe(upstream)
  })
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    client.on('error', () => {})
    const authority = splitAuthority(req.url ?? '')
    if (authority === undefined) return refuse(client, '400 Bad Request', 'expected CONNECT host:port\n')
    if (!isHostAllowed(authority.host, allow)) {
      logger.warn({ host: authority.host, port: authority.port }, 'sandbox egress refused')
      return refuse(client, '403 Forbidden', notAllowed(authority.host, allow))
    }
    const upstream = connect(authority.port, authority.host)
    let connected = false
    upstream.once('connect', () => {
      connected = true
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client).pipe(upstream)
    })
    upstream.on('error', (err) => {
      if (connected) return void client.destroy()
      refuse(client, '502 Bad Gateway', `agent-router egress proxy: ${req.url}: ${err.message}\n`)
    })
    client.on('close', () => upstream.destroy())
  })

  mkdirSync(dirname(options.socketPath), { recursive: true })
  if (existsSync(options.socketPath)) unlinkSync(options.socketPath)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.socketPath, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    socketPath: options.socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
