/**
 * Connection-level fuzzing of the real server process (`node dist/cli.js start`): generated WebSocket
 * upgrades and raw frame sequences, and generated HTTP/1.1 byte streams, each ended by the client finishing,
 * destroying or resetting the connection. After every sequence the same process (same pid, never exited)
 * answers `/health` and a sentinel session, connected over its own WebSocket the whole time, completes a turn.
 *
 * Seeded: FUZZ_SEED replays a run (FUZZ_PATH, from a failure report, replays the failing case first). The seed
 * is printed at the start; a failure prints the sequence and the tail of the server's stdout and stderr.
 * FUZZ_WS_RUNS and FUZZ_HTTP_RUNS change how many sequences run.
 */
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import {
  decodeFrames,
  encodeFrame,
  Opcode,
  openRawConnection,
  type RawConnection,
  type RawFrame,
  upgradeRequest,
} from '../fixtures/raw-websocket.js'
import { type ScriptedModelServer, startScriptedModelServer } from '../fixtures/scripted-model-server.js'
import { type HttpSequence, httpSequence, requestBytes } from './connection-fuzz/http-sequences.js'
import type { Ending } from './connection-fuzz/sequence-parts.js'
import { frameBytes, upgradeBytes, type WsSequence, wsSequence } from './connection-fuzz/ws-sequences.js'
import {
  type CliServer,
  connectEvents,
  type EventClient,
  startCli,
  tempDir,
  turnEnded,
  writeGroqRouterConfig,
} from './helpers.js'

const SENTINEL = 'sentinel'
const WS_RUNS = Number(process.env.FUZZ_WS_RUNS ?? 400)
const HTTP_RUNS = Number(process.env.FUZZ_HTTP_RUNS ?? 300)
const seed =
  process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : (Math.random() * 2 ** 31) | 0
const path = process.env.FUZZ_PATH
/** Failure detection only: a server that has not closed, answered or finished a turn by then is hung. */
const HANG_MS = 15_000
/** A client that does not pipeline sends its next request once an answer starts, or after this long. */
const PACE_MS = 200
/** A slow client sends this many small pieces, a millisecond apart, then the rest at once. */
const SLOW_PIECES = 40

const dir = tempDir('ar-fuzz-')
let scripted: ScriptedModelServer
let server: CliServer
let pid: number
let host: string
let port: number
let sentinel: EventClient
/** Rejects when the server process exits, so a wait fails at once instead of at HANG_MS. */
let exited: Promise<never>

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what} within ${HANG_MS} ms`)), HANG_MS)
  })
  return Promise.race([promise, timeout, exited]).finally(() => clearTimeout(timer))
}

function alive(): boolean {
  return server.child.exitCode === null && server.child.signalCode === null
}

function assertAlive(): void {
  if (alive() && server.child.pid === pid) return
  throw new Error(
    `the server process exited (code ${server.child.exitCode}, signal ${server.child.signalCode})`,
  )
}

/** The same process is up, answers /health, and the sentinel session completes a turn. */
async function assertServerWhole(): Promise<void> {
  assertAlive()
  const health = await withTimeout(fetch(`${server.url}/health`), 'GET /health answered')
  expect(health.status).toBe(200)
  expect(await withTimeout(health.json(), 'the /health body arrived')).toMatchObject({ status: 'ok' })
  expect(sentinel.socket.readyState, 'the sentinel WebSocket is still open').toBe(WebSocket.OPEN)
  const before = sentinel.events.length
  sentinel.send({ type: 'user_message', content: `still there? ${before}` })
  const events = await withTimeout(
    sentinel.waitFor((e) => turnEnded(e) && sentinel.events.indexOf(e) >= before, HANG_MS),
    'the sentinel turn ended',
  )
  const turn = events.slice(before)
  expect(turn.find((e) => e.type === 'result')).toMatchObject({ content: 'sentinel answer' })
  expect(turn.filter((e) => e.type === 'error')).toEqual([])
  expect(alive()).toBe(true)
}

/** Runs `check` and, when it fails, adds the tail of the server's output to the message. */
async function withServerOutput(check: () => Promise<void>): Promise<void> {
  assertAlive()
  try {
    await check()
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    throw new Error(`${message}\n--- server output (tail) ---\n${server.output().slice(-6000)}`)
  }
}

async function finish(conn: RawConnection, end: Ending): Promise<void> {
  if (end === 'end') {
    conn.socket.end()
    return withTimeout(conn.closed, 'the server closed the connection after the client finished')
  }
  // Node cannot reset a socket whose end is still being flushed (the server's close made it end): the reset
  // fails and 'close' never comes. Such a socket is destroyed instead.
  if (end === 'reset' && !conn.socket.writableEnded) conn.socket.resetAndDestroy()
  else conn.socket.destroy()
  await conn.closed
}

/** Writes `bytes`; a server that stops reading a connection it keeps open is hung on it. */
const write = (conn: RawConnection, bytes: Uint8Array) =>
  withTimeout(conn.write(bytes), 'the server read what was sent')

async function runWs(sequence: WsSequence): Promise<void> {
  await Promise.all(Array.from({ length: sequence.copies }, () => runWsConnection(sequence)))
}

async function runWsConnection(sequence: WsSequence): Promise<void> {
  const conn = await openRawConnection(port, host)
  try {
    const head = upgradeBytes(sequence, `${host}:${port}`)
    if (sequence.headCut !== undefined) {
      await write(conn, head.subarray(0, sequence.headCut % head.length))
      return await finish(conn, sequence.end)
    }
    const frames = sequence.steps.map((step) => ('frame' in step ? frameBytes(step.frame) : step.pauseMs))
    const last = frames.findLastIndex((f) => typeof f !== 'number')
    if (last >= 0 && sequence.lastFrameCut !== undefined) {
      const bytes = frames[last] as Buffer
      frames[last] = bytes.subarray(0, sequence.lastFrameCut % bytes.length)
    }
    if (sequence.early) {
      const firstPause = frames.findIndex((f) => typeof f === 'number')
      const before = firstPause === -1 ? frames : frames.slice(0, firstPause)
      await write(conn, Buffer.concat([head, ...(before as Buffer[])]))
      frames.splice(0, before.length)
    } else {
      await write(conn, head)
      await withTimeout(conn.responseHead(), 'the upgrade was answered or the connection closed')
    }
    for (const step of frames) {
      if (typeof step === 'number') await new Promise((r) => setTimeout(r, step))
      else await write(conn, step)
    }
    await finish(conn, sequence.end)
  } finally {
    conn.socket.destroy()
  }
}

async function runHttp(sequence: HttpSequence): Promise<void> {
  const conn = await openRawConnection(port, host)
  try {
    const requests = sequence.requests.map((r) => requestBytes(r, `${host}:${port}`))
    let pieces = sequence.pipelined ? [Buffer.concat(requests)] : requests
    if (sequence.cut !== undefined) {
      const all = Buffer.concat(pieces)
      pieces = [all.subarray(0, sequence.cut % all.length)]
    }
    for (const piece of pieces) {
      const slowBytes = Math.min(piece.length, (sequence.slowPieceBytes ?? 0) * SLOW_PIECES)
      for (let i = 0; i < slowBytes; i += sequence.slowPieceBytes ?? 1) {
        await write(conn, piece.subarray(i, Math.min(slowBytes, i + (sequence.slowPieceBytes ?? 1))))
        await new Promise((r) => setTimeout(r, 1))
      }
      await write(conn, piece.subarray(slowBytes))
      // Paced, not checked: a request may rightly go unanswered while the server waits for the rest of its body.
      if (!sequence.pipelined) await Promise.race([conn.more(), new Promise((r) => setTimeout(r, PACE_MS))])
    }
    await finish(conn, sequence.end)
  } finally {
    conn.socket.destroy()
  }
}

/** Runs `numRuns` generated sequences, each followed by the whole-server check; stops at the first failure. */
function survives<T>(sequences: fc.Arbitrary<T>, run: (sequence: T) => Promise<void>, numRuns: number) {
  return fc.assert(
    fc.asyncProperty(sequences, (sequence) =>
      withServerOutput(async () => {
        await withTimeout(run(sequence), 'the sequence ran to its end')
        await assertServerWhole()
      }),
    ),
    { seed, numRuns, endOnFailure: true, ...(path !== undefined && { path }) },
  )
}

beforeAll(async () => {
  console.log(`connection fuzz: FUZZ_SEED=${seed}`)
  scripted = await startScriptedModelServer({ respond: () => ({ text: 'sentinel answer' }) })
  server = await startCli({
    cwd: dir.path,
    env: {
      DATA_DIR: join(dir.path, 'data'),
      ROUTER_CONFIG: writeGroqRouterConfig(dir.path, scripted.openaiBaseUrl),
      SANDBOX: 'none',
      GROQ_API_KEY: 'gsk_connection_fuzz_key_0123456789',
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
    },
  })
  pid = server.child.pid as number
  exited = new Promise((_, reject) =>
    server.child.once('exit', (code, signal) =>
      reject(new Error(`the server process exited (code ${code}, signal ${signal})`)),
    ),
  )
  exited.catch(() => {})
  const url = new URL(server.url)
  host = url.hostname
  port = Number(url.port)
  sentinel = await connectEvents(`${server.url.replace('http', 'ws')}/demo/ws/${SENTINEL}`)
  await sentinel.waitFor((e) => e.type === 'status' && !('seq' in e), HANG_MS)
  await withServerOutput(assertServerWhole)
}, 60_000)

afterAll(async () => {
  await sentinel?.close()
  if (server !== undefined && alive()) {
    const exited = new Promise((resolve) => server.child.once('exit', resolve))
    server.child.kill('SIGTERM')
    await exited
  }
  await scripted?.close()
  dir.remove()
})

describe('connection-level fuzzing of the server process', () => {
  it('survives a 2 MB frame on a connection it is closing for a bad session id', async () => {
    await withServerOutput(async () => {
      const client = new WebSocket(`ws://${host}:${port}/demo/ws/${'a'.repeat(100)}`)
      const closed = new Promise<[number, string]>((resolve) =>
        client.on('close', (code, reason) => resolve([code, reason.toString()])),
      )
      client.on('error', () => {})
      client.on('open', () => client.send('x'.repeat(2 * 1024 * 1024)))
      const [code, reason] = await withTimeout(closed, 'the connection closed')
      expect(code).toBe(1008)
      expect(reason).toMatch(/invalid session id/)
      await assertServerWhole()
    })
  })

  it('closes a connection that breaks the protocol with the code RFC 6455 names for it', async () => {
    const cases: [string, RawFrame, number][] = [
      ['a frame over 1 MiB', { opcode: Opcode.text, payload: Buffer.alloc(1024 * 1024 + 1, 'x') }, 1009],
      ['RSV2 set', { opcode: Opcode.text, rsv: 2, payload: Buffer.from('{}') }, 1002],
      [
        'RSV1 set without permessage-deflate',
        { opcode: Opcode.text, rsv: 4, payload: Buffer.from('{}') },
        1002,
      ],
      ['an unmasked frame', { opcode: Opcode.text, masked: false, payload: Buffer.from('{}') }, 1002],
      ['a reserved opcode', { opcode: 3, payload: Buffer.from('{}') }, 1002],
      [
        'a continuation with nothing to continue',
        { opcode: Opcode.continuation, payload: Buffer.from('{}') },
        1002,
      ],
      ['a fragmented ping', { opcode: Opcode.ping, fin: false, payload: Buffer.from('p') }, 1002],
      ['text that is not UTF-8', { opcode: Opcode.text, payload: Buffer.from([0xc3, 0x28]) }, 1007],
    ]
    await withServerOutput(async () => {
      for (const [what, frame, code] of cases) {
        const conn = await openRawConnection(port, host)
        await write(conn, upgradeRequest('/demo/ws/fuzz-protocol', `${host}:${port}`))
        const head = await withTimeout(conn.responseHead(), 'the upgrade was answered')
        expect(head, what).toMatch(/^HTTP\/1.1 101 /)
        await write(conn, encodeFrame(frame))
        await withTimeout(conn.closed, `the server closed the connection after ${what}`)
        const received = conn.received()
        const close = decodeFrames(received.subarray(received.indexOf('\r\n\r\n') + 4)).find(
          (f) => f.opcode === Opcode.close,
        )
        expect(close?.payload.readUInt16BE(0), what).toBe(code)
      }
      await assertServerWhole()
    })
  })

  it('refuses an upgrade whose request target is not a URL with a 400', async () => {
    await withServerOutput(async () => {
      const conn = await openRawConnection(port, host)
      await write(conn, upgradeRequest('http://[/demo/ws/x', `${host}:${port}`))
      expect(await withTimeout(conn.responseHead(), 'the upgrade was answered')).toMatch(/^HTTP\/1.1 400 /)
      await withTimeout(conn.closed, 'the server closed the refused connection')
      await assertServerWhole()
    })
  })

  it('closes a refused upgrade whose client goes on sending', async () => {
    await withServerOutput(async () => {
      const conn = await openRawConnection(port, host)
      // More than the socket buffers hold: a server that stops reading without closing leaves this stuck.
      void conn.write(
        Buffer.concat([upgradeRequest('/nowhere', `${host}:${port}`), Buffer.alloc(16 * 1024 * 1024)]),
      )
      await withTimeout(conn.closed, 'the server closed the refused connection')
      expect(conn.received().toString('latin1')).toMatch(/^HTTP\/1.1 404 /)
      await assertServerWhole()
    })
  })

  it('cuts off a refused upgrade whose client never closes and keeps trickling bytes', async () => {
    await withServerOutput(async () => {
      const conn = await openRawConnection(port, host, { allowHalfOpen: true })
      await write(conn, upgradeRequest('/nowhere', `${host}:${port}`))
      let closed = false
      void conn.closed.then(() => {
        closed = true
      })
      // Once the server has let go of the socket, the next byte is answered with a reset.
      const trickle = async () => {
        while (!closed) {
          await write(conn, Buffer.from('x'))
          await Promise.race([conn.closed, new Promise((r) => setTimeout(r, 100))])
        }
      }
      await withTimeout(trickle(), 'the server let go of the refused connection')
      expect(conn.received().toString('latin1')).toMatch(/^HTTP\/1.1 404 /)
    })
  })

  it('survives clients that reset while their upgrade is being refused (200 times)', async () => {
    await withServerOutput(async () => {
      // The reset has to land before the refusal is written; one try in a few dozen does.
      for (let i = 0; i < 200 && alive(); i++) {
        const conn = await openRawConnection(port, host)
        await write(
          conn,
          Buffer.concat([upgradeRequest('/nowhere', `${host}:${port}`), Buffer.alloc(256 * 1024)]),
        )
        conn.socket.resetAndDestroy()
      }
      await assertServerWhole()
    })
  })

  it(
    `survives ${WS_RUNS} generated WebSocket connection sequences, each followed by a sentinel turn`,
    () => survives(wsSequence, runWs, WS_RUNS),
    240_000,
  )

  it(
    `survives ${HTTP_RUNS} generated HTTP/1.1 byte streams, each followed by a sentinel turn`,
    () => survives(httpSequence, runHttp, HTTP_RUNS),
    240_000,
  )

  it("let go of every fuzzed connection: only the sentinel's WebSocket is open", async () => {
    const open = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text()
      return Number(/^agent_router_websocket_connections (\d+)$/m.exec(text)?.[1])
    }
    await withServerOutput(async () => {
      const deadline = Date.now() + HANG_MS
      for (let count = await open(); count !== 1; count = await open()) {
        if (Date.now() > deadline) {
          throw new Error(`hang: ${count} WebSocket connections still open, only the sentinel's should be`)
        }
        await new Promise((r) => setTimeout(r, 100))
      }
    })
  })
})
