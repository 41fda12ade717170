/**
 * The bwrap driver as the server uses it: the limits it reports, `start` and `stop` of real sandboxes, and
 * how `SANDBOX` picks it.
 */
import { lstatSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import {
  describeBwrap,
  dir,
  driver,
  MiB,
  spec,
  startServing,
  useBwrapSandboxes,
} from '../../../../test/fixtures/bwrap-sandboxes.js'
import { containerSocketPath } from '../../host-socket.js'
import { selectDriver } from '../../select-driver.js'
import { silentLogger } from '../../types.js'
import { createBwrapDriver } from './index.js'

describeBwrap('bwrap driver', () => {
  useBwrapSandboxes()

  it('reports cgroup limits when cgroups are writable, rlimits otherwise', () => {
    expect(driver.limits.memory.bytes).toBe(256 * MiB)
    expect(driver.limits.pids.max).toBe(64)
    expect(['cgroup', 'rlimit', 'none']).toContain(driver.limits.memory.enforcedBy)
    const fallback = createBwrapDriver({ stateDir: join(dir, 'state-rlimit'), cgroups: false })
    expect(fallback.limits.memory).toMatchObject({ enforcedBy: 'rlimit', bytes: 2 * 1024 * MiB })
    expect(fallback.limits.pids.enforcedBy).toBe(process.getuid?.() === 0 ? 'none' : 'rlimit')
  })

  it('serves a session whose run dir path is too long for a unix socket (through a short link, removed at its end)', async () => {
    const id = 'x'.repeat(64)
    const link = containerSocketPath(spec(id).runDir)
    expect(link.startsWith(tmpdir())).toBe(true)
    const handle = await startServing(id, '')
    expect(await handle.client.health()).toMatchObject({ ok: true })
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    await handle.stop()
    expect((await handle.exited).reason).toBeUndefined()
    expect(lstatSync(link, { throwIfNoEntry: false })).toBeUndefined()
  })

  it('stops a sandbox by asking its container server first (SIGTERM), not by killing it outright', async () => {
    const handle = await startServing(
      'graceful',
      '',
      "process.on('SIGTERM',()=>{require('fs').writeFileSync('/workspace/stopped','gracefully');process.exit(0)});",
    )
    await handle.stop()
    expect(readFileSync(join(spec('graceful').workspaceDir, 'stopped'), 'utf8')).toBe('gracefully')
    expect((await handle.exited).code).toBe(0)
  })

  it('SANDBOX=bwrap fails at startup with the reason when bubblewrap does not work; auto falls back', () => {
    const options = {
      stateDir: join(dir, 'state-x'),
      routerSocket: join(dir, 'router.sock'),
      limits: { memoryBytes: 256 * MiB, pids: 64 },
      hostEnv: {},
      logger: silentLogger,
      bwrapPath: '/nonexistent/bwrap',
    }
    expect(() => selectDriver({ ...options, mode: 'bwrap' })).toThrow(
      /SANDBOX=bwrap, but bubblewrap does not work on this machine: .*ENOENT/,
    )
    expect(selectDriver({ ...options, mode: 'auto' }).name).toBe('none')
    expect(selectDriver({ ...options, mode: 'auto', bwrapPath: 'bwrap' }).name).toBe('bwrap')
  })
})
