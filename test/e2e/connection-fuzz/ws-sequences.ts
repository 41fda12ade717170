/**
 * Generated WebSocket connection sequences: an upgrade (odd paths, ids, query strings and headers, possibly cut
 * off, possibly with frames in the same write) followed by raw frames (oversized, binary, fragmented, with
 * reserved bits such as permessage-deflate's RSV1, unmasked, reserved opcodes, lying lengths, after a close),
 * ended by the client finishing, destroying or resetting the connection, sometimes mid-frame.
 */
import fc from 'fast-check'
import {
  closePayload,
  encodeFrame,
  Opcode,
  type RawFrame,
  upgradeRequest,
} from '../../fixtures/raw-websocket.js'
import { type Ending, ending, expand, rarely } from './sequence-parts.js'

const MB = 1024 * 1024

const validId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/).filter((id) => !id.startsWith('sentinel'))

const oddId = fc.constantFrom(
  '',
  'a'.repeat(64),
  'a'.repeat(65),
  'a'.repeat(100),
  '<x*5000>',
  '%41bc',
  '%2F',
  '%',
  '%zz',
  '%E0%A4%A',
  '%00',
  '%C3%A9t%C3%A9',
  '..',
  '.',
  'a b',
  'été',
  '\u0000',
  '\u2028',
  'a%2Fb',
  'a/b',
  'fuzz-victim',
)

const junkQuery = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'after=0',
        'after=3',
        'after=-1',
        'after=1e3',
        'after=99999999999999999999',
        'after=',
        'after=abc',
        'after=%30',
        'token=x',
        'token=',
        'token=<t*3000>',
        'junk',
        '=',
        '&&',
        '%zz=1',
        '?',
        '#frag',
      ),
      fc.string({ maxLength: 20 }).map((s) => encodeURIComponent(s)),
    ),
    { maxLength: 4 },
  )
  .map((params) => (params.length === 0 ? '' : `?${params.join('&')}`))

const query = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('', '?after=0', '?after=2', '?token=x') },
  { weight: 1, arbitrary: junkQuery },
)

const wsTarget = fc
  .tuple(
    fc.oneof(
      { weight: 12, arbitrary: fc.constant('/demo/ws/') },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          '/demo/ws',
          '/demo/ws//',
          '/demo/WS/',
          '/',
          '/health',
          '/agent/sessions/',
          '/demo/ws/../ws/',
          '//demo/ws/',
          'http://127.0.0.1/demo/ws/',
          'http://[/demo/ws/',
          'http://a:b:c/demo/ws/',
          '*',
          '/demo/ws/x/',
        ),
      },
    ),
    fc.oneof({ weight: 4, arbitrary: validId }, { weight: 1, arbitrary: oddId }),
    query,
  )
  .map(([prefix, id, q]) => `${prefix}${id}${q}`)

/** Header changes on top of a valid upgrade request; null leaves a header out. */
const headerChoices: Record<string, readonly (string | null)[]> = {
  origin: [null, 'http://127.0.0.1', 'https://evil.example', 'null', '::::', 'http://['],
  'sec-websocket-extensions': [
    'permessage-deflate',
    'permessage-deflate; client_max_window_bits',
    'permessage-deflate; server_max_window_bits=7',
    'permessage-deflate,,;;',
    'x-webkit-deflate-frame',
  ],
  'sec-websocket-key': [null, '', 'short', 'AAAAAAAAAAAAAAAAAAAAAA=='],
  'sec-websocket-version': [null, '8', '12', '13, 8', 'x'],
  upgrade: [null, 'WebSocket', 'h2c', 'websocket, h2c'],
  connection: [null, 'keep-alive', 'Upgrade, close'],
  'sec-websocket-protocol': ['chat', ',,,', 'a b'],
  'x-junk': ['\u007f', 'é', ''],
}
const wsHeaders = fc
  .array(
    fc
      .constantFrom(...Object.keys(headerChoices))
      .chain((name) =>
        fc.constantFrom(...(headerChoices[name] ?? [])).map((value) => [name, value] as const),
      ),
    { maxLength: 2 },
  )
  .map((changes) => Object.fromEntries(changes))

export type PayloadSpec =
  | { text: string }
  | { bytes: number[] }
  | { fill: number }
  | { close: [number, string] }

/** Frame texts a session must refuse or shrug off, never one that starts a turn. */
const frameText = fc
  .oneof(
    fc.string({ maxLength: 60 }),
    fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
    fc.constantFrom(
      '{"type":"interrupt"}',
      '{"type":"permission_response","requestId":"r1","allow":true}',
      '{"type":"user_message"}',
      '{"type":"user_message","content":""}',
      '{"type":"user_message","content":',
      '{"type":"__proto__"}',
    ),
  )
  .filter((text) => !startsTurn(text))

function startsTurn(text: string): boolean {
  try {
    const value = JSON.parse(text) as { type?: unknown; content?: unknown }
    return value?.type === 'user_message' && typeof value.content === 'string' && value.content !== ''
  } catch {
    return false
  }
}

const payload: fc.Arbitrary<PayloadSpec> = fc.oneof(
  { weight: 5, arbitrary: frameText.map((text) => ({ text })) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => ({ bytes: [...b] })) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(125, 126, 65_535, 65_536, MB - 1, MB, MB + 1, 2 * MB)
      .map((fill) => ({ fill })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(1000, 1001, 1005, 1006, 1008, 1015, 999, 2999, 3000, 4999, 5000, 65_535),
        fc.constantFrom('', 'bye', '<r*124>', '\u00ff'),
      )
      .map((close) => ({ close })),
  },
)

export interface FrameSpec {
  fin: boolean
  rsv: number
  opcode: number
  masked: boolean
  payload: PayloadSpec
  /** A length header that lies about the payload. */
  declaredLength?: bigint
  lengthForm?: 16 | 64
}

const frame: fc.Arbitrary<FrameSpec> = fc.record({
  fin: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  rsv: fc.oneof(
    { weight: 6, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 7 }) },
  ),
  opcode: fc.oneof(
    { weight: 6, arbitrary: fc.constant(Opcode.text) },
    { weight: 2, arbitrary: fc.constantFrom(Opcode.binary, Opcode.continuation) },
    { weight: 2, arbitrary: fc.constantFrom(Opcode.close, Opcode.ping, Opcode.pong) },
    { weight: 1, arbitrary: fc.constantFrom(3, 4, 5, 6, 7, 11, 12, 13, 14, 15) },
  ),
  masked: fc.oneof({ weight: 8, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  payload,
  declaredLength: rarely(fc.constantFrom(0n, 1n, 200n, 70_000n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n), 10),
  lengthForm: rarely(fc.constantFrom(16 as const, 64 as const), 10),
})

/** How a sequence ends: the client finishes (and waits for the server to close), destroys, or resets. */
export interface WsSequence {
  method: string
  target: string
  headers: Record<string, string | null>
  /** Send only this many bytes of the upgrade request (mod its length), then end. */
  headCut?: number
  /** Send the first frames in the same write as the upgrade request, before the 101 arrives. */
  early: boolean
  steps: ({ frame: FrameSpec } | { pauseMs: number })[]
  /** Send only this many bytes of the last frame (mod its length). */
  lastFrameCut?: number
  end: Ending
  /** The same sequence on this many connections at once (racing subscribe and unsubscribe of one session). */
  copies: number
}

export const wsSequence: fc.Arbitrary<WsSequence> = fc.record({
  method: fc.oneof(
    { weight: 9, arbitrary: fc.constant('GET') },
    { weight: 1, arbitrary: fc.constantFrom('POST', 'get', 'BREW') },
  ),
  target: wsTarget,
  headers: fc.oneof({ weight: 5, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: wsHeaders }),
  headCut: rarely(fc.nat(), 8),
  early: fc.boolean(),
  steps: fc.array(
    fc.oneof(
      { weight: 6, arbitrary: frame.map((f) => ({ frame: f })) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 5 }).map((pauseMs) => ({ pauseMs })) },
    ),
    { maxLength: 8 },
  ),
  lastFrameCut: rarely(fc.nat(), 5),
  end: ending,
  copies: fc.oneof(
    { weight: 4, arbitrary: fc.constant(1) },
    { weight: 1, arbitrary: fc.integer({ min: 2, max: 4 }) },
  ),
})

function payloadBytes(spec: PayloadSpec): Buffer {
  if ('text' in spec) return Buffer.from(expand(spec.text))
  if ('bytes' in spec) return Buffer.from(spec.bytes)
  if ('fill' in spec) return Buffer.alloc(spec.fill, 'x')
  return closePayload(spec.close[0], expand(spec.close[1]))
}

export function frameBytes(spec: FrameSpec): Buffer {
  const raw: RawFrame = {
    fin: spec.fin,
    rsv: spec.rsv,
    opcode: spec.opcode,
    masked: spec.masked,
    payload: payloadBytes(spec.payload),
    ...(spec.declaredLength !== undefined && { declaredLength: spec.declaredLength }),
    ...(spec.lengthForm !== undefined && { lengthForm: spec.lengthForm }),
  }
  return encodeFrame(raw)
}

export function upgradeBytes(sequence: WsSequence, host: string): Buffer {
  const headers = Object.fromEntries(
    Object.entries(sequence.headers).map(([name, value]) => [name, value === null ? null : expand(value)]),
  )
  return upgradeRequest(expand(sequence.target), host, headers, sequence.method)
}
