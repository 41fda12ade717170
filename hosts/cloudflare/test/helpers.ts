/** A WebSocket client of the Worker under test, and small helpers shared by the host's tests. */
import { env, runInDurableObject, SELF } from 'cloudflare:test'
import { expect } from 'vitest'
import type { ClaudeCodeContainer } from '../src/container-object.js'

export interface Frame {
  type: string
  content?: string
  data?: Record<string, unknown>
  seq?: number
  sessionId?: string
}

export interface Client {
  frames: Frame[]
  send(frame: unknown): void
  /** The first frame from index `from` on that matches; waits for it. */
  next(matches: (frame: Frame) => boolean, from?: number): Promise<Frame>
  /** Waits for the end of the next turn: a persisted status with isRunning false. */
  turnEnd(from?: number): Promise<Frame>
  close(): void
}

export async function connect(sessionId: string, after = 0): Promise<Client> {
  const res = await SELF.fetch(`http://agent.test/demo/ws/${sessionId}?after=${after}`, {
    headers: { upgrade: 'websocket' },
  })
  expect(res.status).toBe(101)
  const ws = res.webSocket!
  ws.accept()
  const frames: Frame[] = []
  const waiters = new Set<() => void>()
  ws.addEventListener('message', (event) => {
    frames.push(JSON.parse(event.data as string) as Frame)
    for (const wake of waiters) wake()
  })
  const next = (matches: (frame: Frame) => boolean, from = 0) =>
    new Promise<Frame>((resolve) => {
      const check = () => {
        const found = frames.slice(from).find(matches)
        if (found === undefined) return
        waiters.delete(check)
        resolve(found)
      }
      waiters.add(check)
      check()
    })
  return {
    frames,
    send: (frame) => ws.send(JSON.stringify(frame)),
    next,
    turnEnd: (from = 0) =>
      next((f) => f.type === 'status' && f.seq !== undefined && f.data?.isRunning === false, from),
    close: () => ws.close(1000, 'done'),
  }
}

export async function json<T = Record<string, unknown>>(
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: T }> {
  const res = await SELF.fetch(`http://agent.test${path}`, init)
  return { status: res.status, body: (await res.json()) as T }
}

export function post(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}

/** The `seq` of every persisted frame, in order. */
export function seqs(frames: Frame[]): number[] {
  return frames.filter((f) => f.seq !== undefined).map((f) => f.seq!)
}

/** Asks the container host behind the runtime stand-in (`start`, `stop`, `release`, `limit`, `state`). */
export async function hostControl<T = Record<string, unknown>>(path: string, body: unknown = {}): Promise<T> {
  const res = await env.CONTAINER_HOST.fetch(`http://host/__control/${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  })
  return (await res.json()) as T
}

/** Waits until `check` passes (for what the Worker does after answering, like updating the session list). */
export async function eventually<T>(check: () => Promise<T>, tries = 50): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await check()
    } catch (err) {
      if (i >= tries) throw err
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

/** Waits until a `hold` run has reached the container, then lets every held run finish. */
export async function releaseHeldRun(): Promise<void> {
  await eventually(async () => {
    const { holding } = await hostControl<{ holding: number }>('state')
    if (holding === 0) throw new Error('no run is holding yet')
  })
  await hostControl('release')
}

/** What SLEEP_AFTER does: the container class stops the container, and its disk is gone. */
export async function sleep(sessionId: string): Promise<void> {
  const container = env.CONTAINER.get(env.CONTAINER.idFromName(sessionId))
  await runInDurableObject<ClaudeCodeContainer, void>(container, (instance) => instance.stop())
  expect((await json(`/agent/sessions/${sessionId}`)).body).toMatchObject({
    containerState: { state: 'sleeping' },
  })
}
