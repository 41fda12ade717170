import { existsSync, mkdirSync, rmSync } from 'node:fs'
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
import { noneDriver } from './drivers/none.js'
import { SandboxManager, type SandboxManagerOptions } from './sandbox-manager.js'
import type { SandboxDriver, SandboxHandle } from './types.js'
import type { PoolMember, PoolSource } from './warm-pool.js'

let lab: LifecycleLab
let manager: SandboxManager | undefined

const sessionSpec = (sessionId: string) =>
  specIn(join(lab.root, 'sessions', sessionId), sessionId, lab.model.anthropicBaseUrl)

/** The pool's source, as the server's: folders of each member's own, removed when it is discarded. */
function poolSource(): PoolSource & { discarded: string[] } {
  const discarded: string[] = []
  return {
    discarded,
    spec: (id) => {
      const spec = specIn(join(lab.root, 'pool', id), id, lab.model.anthropicBaseUrl)
      mkdirSync(spec.workspaceDir, { recursive: true })
      return spec
    },
    discard: (spec) => {
      discarded.push(spec.sessionId)
      rmSync(join(lab.root, 'pool', spec.sessionId), { recursive: true, force: true })
    },
  }
}

/** The none driver, remembering every sandbox it started (to check that none is left running). */
function recordingDriver(): SandboxDriver & { started: SandboxHandle[] } {
  const started: SandboxHandle[] = []
  return {
    name: 'none',
    isolated: false,
    started,
    start: async (spec, command, options) => {
      const handle = await noneDriver.start(spec, command, options)
      started.push(handle)
      return handle
    },
  }
}

/** Records the members it adopted. */
function adopter(): { adopted: PoolMember[]; adopt: (member: PoolMember) => Promise<void> } {
  const adopted: PoolMember[] = []
  return { adopted, adopt: async (member) => void adopted.push(member) }
}

/** A manager on `driver`, up to 4 sandboxes unless `options` say otherwise, with a pool of one from `source`. */
function startPooled(
  driver: SandboxDriver,
  source: PoolSource = poolSource(),
  options: Partial<SandboxManagerOptions> = {},
): SandboxManager {
  const pooled = new SandboxManager({ driver, maxInstances: 4, ...options })
  pooled.startPool(1, source)
  return pooled
}

/** Until the pool's member is booted and waiting. */
const poolFilled = () => until(() => manager!.poolStatus().ready === 1, 30_000)

async function turn(handle: SandboxHandle, prompt: string): Promise<unknown[]> {
  const lines: unknown[] = []
  for await (const line of handle.client.run({ prompt, sessionId: handle.sessionId })) lines.push(line)
  return lines
}

beforeAll(async () => {
  lab = await startLifecycleLab('ar-pool-')
}, 120_000)

afterEach(async () => {
  await manager?.stopAll()
  manager = undefined
})

afterAll(() => lab?.close())

describe('SandboxManager with a warm pool', () => {
  it('keeps a member started; a new session takes that very sandbox, and the pool refills after its turn', {
    timeout: 60_000,
  }, async () => {
    const driver = recordingDriver()
    manager = startPooled(driver)
    await poolFilled()
    expect(manager.poolStatus()).toEqual({ size: 1, ready: 1, starting: 0 })
    const { adopted, adopt } = adopter()
    const handle = await manager.ensure(sessionSpec('takes'), { adopt })
    expect(adopted).toHaveLength(1)
    expect(handle.pid).toBe(adopted[0]!.handle.pid)
    expect(handle.sessionId).toBe('takes')
    expect(manager.state('takes')).toBe('running')
    expect(driver.started).toHaveLength(1)
    expect(manager.poolStatus()).toEqual({ size: 1, ready: 0, starting: 0 })
    expect((await turn(handle, 'hello')).at(-1)).toMatchObject({ type: 'result', result: 'You said: hello' })
    await poolFilled()
    expect(driver.started).toHaveLength(2)
    expect(driver.started[1]!.pid).not.toBe(handle.pid)
  })

  it('never hands the same sandbox to two sessions claiming at once', { timeout: 60_000 }, async () => {
    manager = startPooled(recordingDriver())
    await poolFilled()
    const { adopted, adopt } = adopter()
    const [a, b] = await Promise.all([
      manager.ensure(sessionSpec('twin-a'), { adopt }),
      manager.ensure(sessionSpec('twin-b'), { adopt }),
    ])
    expect(adopted).toHaveLength(1)
    expect(a.pid).not.toBe(b.pid)
    expect([a.pid, b.pid]).toContain(adopted[0]!.handle.pid)
    expect(isRunning(a.pid) && isRunning(b.pid)).toBe(true)
  })

  it('a claim racing the refill waits for the member that is starting, and takes it', {
    timeout: 60_000,
  }, async () => {
    const driver = recordingDriver()
    manager = startPooled(driver)
    expect(manager.poolStatus()).toEqual({ size: 1, ready: 0, starting: 1 })
    const { adopted, adopt } = adopter()
    const handle = await manager.ensure(sessionSpec('early'), { adopt })
    expect(adopted).toHaveLength(1)
    expect(handle.pid).toBe(adopted[0]!.handle.pid)
    expect(driver.started).toHaveLength(1)
  })

  it('a claim racing shutdown is refused or stopped with the rest: nothing is left running', {
    timeout: 60_000,
  }, async () => {
    const driver = recordingDriver()
    const source = poolSource()
    manager = startPooled(driver, source, { stopGraceMs: 1000 })
    await poolFilled()
    const claimed = manager.ensure(sessionSpec('late'), adopter()).catch((err: unknown) => err)
    await manager.stopAll()
    await claimed
    expect(driver.started.length).toBeGreaterThan(0)
    for (const handle of driver.started) expect(isRunning(handle.pid)).toBe(false)
    expect(manager.poolStatus()).toMatchObject({ ready: 0, starting: 0 })
    await expect(manager.ensure(sessionSpec('after'), adopter())).rejects.toThrow(/shutting down/)
  })

  it('shutdown while a member is starting stops it once it is up', { timeout: 60_000 }, async () => {
    const driver = recordingDriver()
    const source = poolSource()
    manager = startPooled(driver, source)
    expect(manager.poolStatus().starting).toBe(1)
    await manager.stopAll()
    for (const handle of driver.started) expect(isRunning(handle.pid)).toBe(false)
    expect(source.discarded).toEqual(['pool-1'])
  })

  it('counts members against MAX_INSTANCES: a session that cannot take one stops it for room', {
    timeout: 60_000,
  }, async () => {
    const driver = recordingDriver()
    const source = poolSource()
    manager = startPooled(driver, source, { maxInstances: 1 })
    await poolFilled()
    const member = driver.started[0]!
    // Nothing to adopt (a session waking from sleep): it needs a slot of its own.
    const handle = await manager.ensure(sessionSpec('wakes'))
    expect(handle.pid).not.toBe(member.pid)
    expect(isRunning(member.pid)).toBe(false)
    expect(source.discarded).toEqual(['pool-1'])
    await turn(handle, 'hello')
    await sleep(300)
    // No room to refill while the session holds the only slot.
    expect(manager.poolStatus()).toEqual({ size: 1, ready: 0, starting: 0 })
    expect(driver.started).toHaveLength(2)
  })

  it('does not refill while a turn runs, so the refill takes no CPU from it', {
    timeout: 60_000,
  }, async () => {
    manager = startPooled(recordingDriver())
    await poolFilled()
    const handle = await manager.ensure(sessionSpec('busy'), adopter())
    const slow = turn(handle, 'slow please')
    await sleep(1000)
    expect(manager.poolStatus()).toEqual({ size: 1, ready: 0, starting: 0 })
    expect((await slow).at(-1)).toMatchObject({ type: 'result', result: 'finally' })
    await poolFilled()
  })

  it('replaces a member that dies while it waits', { timeout: 60_000 }, async () => {
    const driver = recordingDriver()
    const source = poolSource()
    manager = startPooled(driver, source)
    await poolFilled()
    const first = driver.started[0]!
    process.kill(first.pid!, 'SIGKILL')
    await until(() => driver.started.length === 2 && manager!.poolStatus().ready === 1, 30_000)
    expect(source.discarded).toEqual(['pool-1'])
    expect(existsSync(join(lab.root, 'pool', 'pool-1'))).toBe(false)
    expect(isRunning(driver.started[1]!.pid)).toBe(true)
  })

  it('a member whose folders cannot be made is tried again later; sessions start meanwhile', {
    timeout: 60_000,
  }, async () => {
    const source = poolSource()
    let refusals = 1
    const warnings: string[] = []
    manager = new SandboxManager({
      driver: recordingDriver(),
      maxInstances: 4,
      logger: { info: () => {}, warn: (_fields, message) => warnings.push(message), error: () => {} },
    })
    manager.startPool(1, {
      ...source,
      spec: (id) => {
        if (refusals-- > 0) throw new Error('ENOSPC: no space left on device')
        return source.spec(id)
      },
    })
    expect(warnings).toEqual(['could not start a warm pool member'])
    expect(manager.poolStatus()).toEqual({ size: 1, ready: 0, starting: 0 })
    const handle = await manager.ensure(sessionSpec('meanwhile'), adopter())
    expect(isRunning(handle.pid)).toBe(true)
    await turn(handle, 'hello')
    await poolFilled()
  })

  it('when adopting fails, stops the member and starts the session its own sandbox', {
    timeout: 60_000,
  }, async () => {
    const driver = recordingDriver()
    manager = startPooled(driver)
    await poolFilled()
    const member = driver.started[0]!
    const handle = await manager.ensure(sessionSpec('refused'), {
      adopt: () => Promise.reject(new Error('the session folder is not empty')),
    })
    expect(handle.pid).not.toBe(member.pid)
    await until(() => !isRunning(member.pid))
    expect((await turn(handle, 'hello')).at(-1)).toMatchObject({ type: 'result' })
  })
})
