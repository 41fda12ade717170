/**
 * Parked sandboxes: a prepared command starts from one confined exactly like a sandbox started on demand,
 * its session's settings reach it through a descriptor only (no NUL smuggles arguments in), and one whose
 * server died runs nothing.
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it, vi } from 'vitest'
import {
  describeBwrap,
  dir,
  kill,
  MiB,
  socketDescriptors,
  spawnUntilReady,
  spec,
  useBwrapSandboxes,
} from '../../../../test/fixtures/bwrap-sandboxes.js'
import { commandLine, descendantsOf } from '../../../../test/fixtures/process-tree.js'
import { packageRoot } from './args.js'
import { createBwrapDriver } from './index.js'

describeBwrap('bwrap parked sandboxes', () => {
  useBwrapSandboxes()

  it('starts a prepared command from a parked sandbox, confined alike, its token on no host command line', async () => {
    const parkedDriver = createBwrapDriver({
      stateDir: join(dir, 'state-parked'),
      limits: { memoryBytes: 256 * MiB, pids: 64 },
    })
    const script =
      'sleep 30 & id -u; pwd; echo "token=$ANTHROPIC_AUTH_TOKEN"; cat /etc/shadow || echo DENIED-shadow; ls -l /proc/self/fd; echo READY; wait'
    await parkedDriver.prepare(['/bin/sh', '-c', script])
    const { child, cgroup, out } = await spawnUntilReady(parkedDriver, script)
    try {
      // The parked bwrap got its session's arguments (and the token) through a descriptor, not its argv.
      const hostCommandLine = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8')
      expect(hostCommandLine).toContain('--args')
      expect(hostCommandLine).not.toContain('art_token_alice')
      expect(readFileSync(`/proc/${child.pid}/environ`, 'utf8')).not.toContain('art_token_alice')
      expect(out).toContain('1000\n/workspace\ntoken=art_token_alice\n')
      expect(out).toContain('DENIED-shadow')
      expect(socketDescriptors(out)).toEqual([0, 1, 2])
      if (cgroup !== undefined) {
        expect(cgroup.pids()).toEqual(expect.arrayContaining([child.pid!, ...descendantsOf(child.pid!)]))
      }
    } finally {
      await kill(child, cgroup)
      await parkedDriver.close()
    }
  })

  it("takes no arguments of a parked sandbox from a NUL inside a session's setting", async () => {
    const parkedDriver = createBwrapDriver({ stateDir: join(dir, 'state-nul'), cgroups: false })
    const command = ['/bin/sh', '-c', 'echo "model=$ANTHROPIC_MODEL injected=$INJECTED"; ls /host']
    await parkedDriver.prepare(command)
    try {
      const smuggling = spec('alice', {
        ANTHROPIC_MODEL: 'm\0--ro-bind\0/\0/host\0--setenv\0INJECTED\0yes',
      })
      expect(() => parkedDriver.spawnSandboxed(smuggling, command)).toThrow(/NUL character/)
      // The parked sandbox is still there for the next session, and starts with its own settings only.
      const { child } = parkedDriver.spawnSandboxed(spec('alice', { ANTHROPIC_MODEL: 'm' }), command)
      expect(readFileSync(`/proc/${child.pid}/cmdline`, 'utf8')).toContain('--args')
      let out = ''
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString()
      })
      child.stderr?.on('data', (chunk: Buffer) => {
        out += chunk.toString()
      })
      await new Promise((resolve) => child.once('close', resolve))
      expect(out).toContain('model=m injected=\n')
      expect(out).toMatch(/No such file or directory/)
    } finally {
      await parkedDriver.close()
    }
  })

  it('a parked sandbox whose server died runs nothing', async () => {
    const marker = join(dir, 'parked-ran')
    const driverModule = join(packageRoot(), 'dist/sandbox/drivers/bwrap/index.js')
    const script = `import(${JSON.stringify(driverModule)}).then(async ({ createBwrapDriver }) => {
        const driver = createBwrapDriver({ stateDir: ${JSON.stringify(join(dir, 'state-orphan'))} })
        await driver.prepare(['/usr/bin/touch', ${JSON.stringify(marker)}])
        process.kill(process.pid, 'SIGKILL')
      })`
    const server = spawn(process.execPath, ['-e', script], { stdio: 'ignore' })
    await new Promise((resolve) => server.once('exit', resolve))
    // What it left: the parked bwrap, now reading the end of its arguments. It must exit without running.
    const orphans = () =>
      readdirSync('/proc')
        .filter((name) => /^\d+$/.test(name))
        .filter((pid) => commandLine(Number(pid)).includes(marker))
    await vi.waitFor(() => expect(orphans()).toEqual([]), { timeout: 10_000 })
    expect(existsSync(marker)).toBe(false)
  })
})
