/**
 * The host side of a sandbox start: the descriptors the server inherited do not reach a sandbox, and the
 * closer that shuts them reads no host shell start-up file, parked or not.
 */
import { spawn } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { describeBwrap, dir, useBwrapSandboxes } from '../../../../test/fixtures/bwrap-sandboxes.js'
import { BASHRC_MARKER, trappedHost } from '../../../../test/fixtures/host-shell-config.js'
import { packageRoot } from './args.js'

describeBwrap('bwrap host command', () => {
  useBwrapSandboxes()

  it('passes none of the descriptors its server inherited to a sandbox and reads no host shell start-up file, parked or not', async () => {
    const secret = join(dir, 'inherited-secret.txt')
    writeFileSync(secret, 'inherited-only')
    const driverModule = join(packageRoot(), 'dist/sandbox/drivers/bwrap/index.js')
    const script = `import(${JSON.stringify(driverModule)}).then(async ({ createBwrapDriver }) => {
        const driver = createBwrapDriver({ stateDir: ${JSON.stringify(join(dir, 'state-fds'))} })
        const command = ['/bin/sh', '-c', 'cat /proc/self/fd/201 /proc/1/fd/201; ls -l /proc/self/fd /proc/1/fd']
        const run = async (name) => {
          const root = ${JSON.stringify(join(dir, 'fds'))} + '/' + name
          const s = driver.spawnSandboxed({ sessionId: name, workspaceDir: root + '/w', claudeDir: root + '/c', runDir: root + '/r', env: {} }, command)
          let out = ''
          s.child.stdout.on('data', (d) => { out += d })
          s.child.stderr.on('data', (d) => { out += d })
          await new Promise((resolve) => s.child.once('close', resolve))
          await s.cgroup?.remove()
          return out
        }
        const onDemand = await run('on-demand')
        await driver.prepare(command)
        const parked = await run('parked')
        await driver.close()
        process.stdout.write(JSON.stringify({ onDemand, parked }))
      })`
    // A server started with fd 201 open, on a host whose shell start-up file prints and writes a marker.
    const host = trappedHost(join(dir, 'trapped-host'))
    const [command, ...args] = host.hostCommand([process.execPath, '-e', script], secret)
    const server = spawn(command!, args, { env: { ...process.env, HOME: host.home } })
    let out = ''
    server.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    await new Promise((resolve) => server.once('close', resolve))
    const { onDemand, parked } = JSON.parse(out) as { onDemand: string; parked: string }
    for (const seen of [onDemand, parked]) {
      expect(seen).toContain('/proc/self/fd')
      expect(seen).not.toContain('inherited-only')
      expect(seen).not.toMatch(/ 201 -> /)
      expect(seen).not.toContain(BASHRC_MARKER)
    }
    expect(existsSync(host.ranFile)).toBe(false)
  })
})
