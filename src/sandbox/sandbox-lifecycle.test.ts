import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  isRunning,
  type LifecycleLab,
  sleep,
  specIn,
  startLifecycleLab,
  until,
} from '../../test/fixtures/sandbox-lifecycle.js'
import { isAgentRequest } from '../../test/fixtures/scripted-model-server.js'
import { AppError } from '../protocol/errors.js'
import { noneDriver } from './drivers/none.js'
import { containerSocketPath } from './host-socket.js'
import { SandboxManager, type WaitInfo } from './sandbox-manager.js'
import type { SandboxHandle, SandboxSpec } from './types.js'

let lab: LifecycleLab
let manager: SandboxManager | undefined

function specFor(sessionId: string): SandboxSpec {
  return specIn(join(lab.root, sessionId), sessionId, lab.model.anthropicBaseUrl)
}

interface Line {
  type?: string
  session_id?: string
  result?: string
}

async function turn(handle: SandboxHandle, prompt: string, resumeSessionId?: string): Promise<Line[]> {
  const lines: Line[] = []
  const options = { prompt, sessionId: handle.sessionId, ...(resumeSessionId && { resumeSessionId }) }
  for await (const line of handle.client.run(options)) lines.push(line as Line)
  return lines
}

beforeAll(async () => {
  lab = await startLifecycleLab('sbx-life-')
})

afterEach(async () => {
  await manager?.stopAll()
  manager = undefined
})

afterAll(() => lab?.close())

describe('sandbox lifecycle', () => {
  it('puts an idle container to sleep and wakes it on the next ensure, resuming the conversation', {
    timeout: 60_000,
  }, async () => {
    manager = new SandboxManager({ driver: noneDriver, sleepAfterMs: 300 })
    expect(manager.state('sleepy')).toBe('stopped')
    const first = await manager.ensure(specFor('sleepy'))
    expect(manager.state('sleepy')).toBe('running')
    const lines = await turn(first, 'remember the word papaya')
    const sessionId = lines.at(-1)!.session_id!
    await first.exited
    expect(manager.state('sleepy')).toBe('sleeping')
    expect(manager.running()).toEqual([])

    const woken = await manager.ensure(specFor('sleepy'))
    expect(woken.pid).not.toBe(first.pid)
    const next = await turn(woken, 'which word?', sessionId)
    expect(next.at(-1)).toMatchObject({
      type: 'result',
      result: 'You said: which word?',
      session_id: sessionId,
    })
    expect(JSON.stringify(lab.model.requests.filter(isAgentRequest).at(-1)?.body.messages)).toContain(
      'remember the word papaya',
    )
  })

  it('does not put a container to sleep while a turn runs', { timeout: 60_000 }, async () => {
    manager = new SandboxManager({ driver: noneDriver, sleepAfterMs: 300 })
    const handle = await manager.ensure(specFor('busy-sleeper'))
    const lines = await turn(handle, 'slow please')
    expect(lines.at(-1)).toMatchObject({ type: 'result', result: 'finally' })
    expect(isRunning(handle.pid!)).toBe(true)
    await handle.exited
    expect(manager.state('busy-sleeper')).toBe('sleeping')
  })

  it('at MAX_INSTANCES puts the least recently used idle container to sleep for a new one', {
    timeout: 60_000,
  }, async () => {
    manager = new SandboxManager({ driver: noneDriver, maxInstances: 1 })
    const a = await manager.ensure(specFor('lru-a'))
    await turn(a, 'hello from a')
    const waits: WaitInfo[] = []
    const b = await manager.ensure(specFor('lru-b'), { onWait: (info) => waits.push(info) })
    expect(waits).toEqual([])
    expect(isRunning(a.pid!)).toBe(false)
    expect(manager.state('lru-a')).toBe('sleeping')
    expect(manager.running()).toEqual([b])
  })

  it('at MAX_INSTANCES with every container busy, a new session waits its turn and is told so', {
    timeout: 60_000,
  }, async () => {
    manager = new SandboxManager({ driver: noneDriver, maxInstances: 1 })
    const a = await manager.ensure(specFor('wait-a'))
    const slow = turn(a, 'slow please')
    await sleep(200)
    const waits: WaitInfo[] = []
    const waited = manager.ensure(specFor('wait-b'), { onWait: (info) => waits.push(info) })
    await sleep(100)
    expect(waits).toEqual([{ position: 1, running: 1, max: 1 }])
    expect(manager.state('wait-b')).toBe('waiting')
    expect((await slow).at(-1)).toMatchObject({ type: 'result', result: 'finally' })
    const b = await waited
    expect(manager.running()).toEqual([b])
    expect(manager.state('wait-a')).toBe('sleeping')
    expect((await turn(b, 'hello from b')).at(-1)).toMatchObject({ type: 'result' })
  })

  it('stops waiting when the signal aborts', { timeout: 60_000 }, async () => {
    manager = new SandboxManager({ driver: noneDriver, maxInstances: 1 })
    const a = await manager.ensure(specFor('abort-a'))
    const slow = turn(a, 'slow please')
    await sleep(200)
    const controller = new AbortController()
    const waited = manager
      .ensure(specFor('abort-b'), { signal: controller.signal })
      .catch((err: unknown) => err)
    controller.abort()
    expect((await waited) as Error).toMatchObject({ name: 'AbortError' })
    expect(manager.state('abort-b')).toBe('stopped')
    await slow
  })

  it('stopAll rejects waiters cleanly and leaves nothing running', { timeout: 60_000 }, async () => {
    manager = new SandboxManager({ driver: noneDriver, maxInstances: 1, stopGraceMs: 1000 })
    const a = await manager.ensure(specFor('all-a'))
    const slow = turn(a, 'slow please').catch((err: unknown) => err)
    await sleep(200)
    const waited = manager.ensure(specFor('all-b')).catch((err: unknown) => err)
    await manager.stopAll()
    const error = await waited
    expect(error).toBeInstanceOf(AppError)
    expect((error as Error).message).toContain('shutting down')
    expect(manager.running()).toEqual([])
    expect(isRunning(a.pid!)).toBe(false)
    await slow
    await expect(manager.ensure(specFor('all-c'))).rejects.toThrow(/shutting down/)
  })

  it('a container that dies mid-turn fails the run with a clear error; the next ensure starts a fresh one', {
    timeout: 60_000,
  }, async () => {
    manager = new SandboxManager({ driver: noneDriver })
    // A run dir too deep for a socket path: the socket is in the temp dir, and a killed container leaves it.
    const id = `dies-${'d'.repeat(58)}`
    const socket = containerSocketPath(specFor(id).runDir)
    expect(socket.startsWith(tmpdir())).toBe(true)
    const first = await manager.ensure(specFor(id))
    expect(existsSync(socket)).toBe(true)
    const run = turn(first, 'slow please').catch((err: unknown) => err)
    await sleep(500)
    process.kill(first.pid!, 'SIGKILL')
    const error = await run
    expect(error).toBeInstanceOf(AppError)
    expect((error as Error).message).toMatch(/the sandbox stopped unexpectedly \(signal SIGKILL\)/)
    await until(() => manager!.state(id) === 'sleeping')
    expect(existsSync(socket)).toBe(false)
    const second = await manager.ensure(specFor(id))
    expect(second.pid).not.toBe(first.pid)
    expect((await turn(second, 'hello again')).at(-1)).toMatchObject({ type: 'result' })
  })
})
