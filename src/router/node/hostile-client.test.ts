/**
 * The router served on Node (`serveRouter`) against a client on a raw socket: pipelined requests whose
 * answers it never reads, a request sent after `connection: close`, and a pathological head. The server
 * must stop reading instead of buffering, run nothing after `close`, and answer a bad head at once.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  completion,
  httpAnswer,
  type RawUpstream,
  routerOptionsOver,
  serveRouterOver,
  startRawUpstream,
} from '../__fixtures__/raw-upstream.js'
import { closeServer, nodeRouterCore, routerServer } from './serve-router.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

async function routerOver(answer: Buffer): Promise<{ port: number; up: RawUpstream }> {
  const up = await startRawUpstream((socket) => socket.write(answer))
  closers.push(() => up.close())
  const running = await serveRouterOver(up)
  closers.push(() => running.close())
  return { port: running.port, up }
}

function rawClient(port: number): Socket {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => {})
  closers.push(async () => {
    socket.destroy()
  })
  return socket
}

function messagesRequest(content: string, headers = ''): string {
  const body = JSON.stringify({ model: 'groq/m', max_tokens: 10, messages: [{ role: 'user', content }] })
  return `POST /v1/messages HTTP/1.1\r\nhost: router\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${headers}\r\n${body}`
}

/** Resolves once `done()` holds, checking every 10 ms. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 10))
}

/** The first answer head the client gets. */
function firstAnswer(client: Socket): Promise<string> {
  return new Promise<string>((resolve) => {
    let text = ''
    client.on('data', (d: Buffer) => {
      text += d.toString('latin1')
      if (text.includes('\r\n\r\n')) resolve(text)
    })
  })
}

/** Resolves once `count()` has not changed for `quietMs` (or reached `max`), with its last value. */
async function settled(count: () => number, max: number, quietMs = 1500): Promise<number> {
  let last = -1
  let since = Date.now()
  while (count() < max) {
    if (count() !== last) {
      last = count()
      since = Date.now()
    } else if (Date.now() - since >= quietMs) break
    await new Promise((r) => setTimeout(r, 100))
  }
  return count()
}

describe('the router against a hostile client', () => {
  it('stops reading a connection whose pipelined answers are never read', async () => {
    // Over a unix socket (small kernel buffers, no autotuning), so a 1 MiB answer cannot all leave the
    // server: once the client stops reading, the server's socket stays backed up.
    const up = await startRawUpstream((socket) => socket.write(httpAnswer(completion('a'.repeat(1 << 20)))))
    closers.push(() => up.close())
    const dir = mkdtempSync(join(tmpdir(), 'ar-pipe-'))
    const path = join(dir, 'router.sock')
    const server = routerServer(nodeRouterCore(routerOptionsOver(up)))
    await new Promise<void>((resolve) => server.listen(path, resolve))
    closers.push(async () => {
      await closeServer(server, true)
      rmSync(dir, { recursive: true, force: true })
    })
    const client = connect(path)
    client.on('error', () => {})
    closers.push(async () => {
      client.destroy()
    })
    // The first answer starts arriving; the client then reads nothing more.
    client.write(messagesRequest('first'))
    await new Promise((resolve) => client.once('data', resolve))
    client.pause()
    // Then it pipelines requests whose answers it will never read: the server must stop taking them.
    const sent = 200
    const request = messagesRequest('x'.repeat(64 * 1024))
    for (let i = 0; i < sent; i++) client.write(request)
    const run = await settled(() => up.requests.length, sent + 1)
    expect(run).toBeGreaterThanOrEqual(1)
    // Node parses at most what was in the read that found the socket backed up.
    expect(run).toBeLessThan(10)
  }, 30_000)

  it('runs nothing a client sent after connection: close', async () => {
    const { port, up } = await routerOver(httpAnswer(completion('once')))
    const client = rawClient(port)
    client.resume()
    const closed = new Promise((resolve) => client.on('close', resolve))
    client.write(messagesRequest('first', 'connection: close\r\n') + messagesRequest('second'))
    await closed
    // Node's parser refuses what follows `close` and drops the connection; the first may or may not run.
    expect(await settled(() => up.requests.length, 2, 500)).toBeLessThanOrEqual(1)
    expect(up.requests.filter((r) => r.body.includes('second'))).toEqual([])
  })

  it('runs nothing pipelined behind a request refused for its declared size', async () => {
    const { port, up } = await routerOver(httpAnswer(completion('once')))
    const client = rawClient(port)
    const answer = firstAnswer(client)
    const tooLarge = `POST /v1/messages HTTP/1.1\r\nhost: router\r\ncontent-type: application/json\r\ncontent-length: ${32 * 1024 * 1024 + 1}\r\n\r\n`
    client.write(tooLarge + messagesRequest('second'))
    expect(await answer).toMatch(/^HTTP\/1\.1 413 /)
    expect(await settled(() => up.requests.length, 1, 500)).toBe(0)
  })

  it('answers a 16 KiB pathological head at once, without calling the upstream', async () => {
    const { port, up } = await routerOver(httpAnswer(completion('never')))
    const client = rawClient(port)
    const answer = firstAnswer(client)
    client.write(`POST /v1/messages HTTP/1.1\r\nhost: router\r\nx-a: ${' \t'.repeat(8 * 1024)}x\r\n\r\n`)
    expect(await answer).toMatch(/^HTTP\/1\.1 4\d\d /)
    expect(up.requests).toHaveLength(0)
  }, 10_000)

  it('gives up the upstream call of a client that hangs up before its answer', async () => {
    // An upstream that takes the request and never answers: only the router can end the call.
    const up = await startRawUpstream(() => {})
    closers.push(() => up.close())
    const running = await serveRouterOver(up)
    closers.push(() => running.close())
    const client = rawClient(running.port)
    client.write(messagesRequest('think long'))
    await until(() => up.requests.length === 1)
    client.destroy()
    await until(() => up.connections.closed >= 1)
    expect(up.connections.closed).toBe(up.connections.opened)
    expect(up.requests).toHaveLength(1)
  }, 10_000)
})
