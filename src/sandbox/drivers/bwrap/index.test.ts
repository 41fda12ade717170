/**
 * Escape attempts against the bwrap driver's confinement: shell commands run inside a sandbox built exactly
 * as the driver builds it (spawnSandboxed), plus the limits and the router/egress paths through the real
 * driver. Needs bubblewrap (the test setup installs it); skips only when it genuinely does not work here.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { BASHRC_MARKER, trappedHost } from '../../../../test/fixtures/host-shell-config.js'
import { commandLine, descendantsOf } from '../../../../test/fixtures/process-tree.js'
import { startEgressProxy } from '../../egress-proxy.js'
import { containerSocketPath, serveOnUnixSocket } from '../../host-socket.js'
import { selectDriver } from '../../select-driver.js'
import type { SandboxSpec } from '../../types.js'
import { silentLogger } from '../../types.js'
import { packageRoot } from './args.js'
import type { SandboxCgroup } from './cgroup.js'
import { type BwrapDriver, createBwrapDriver, probeBwrap } from './index.js'

const bwrapProblem = probeBwrap()
const distBuilt = existsSync(join(packageRoot(), 'dist/sandbox/drivers/bwrap/forwards.js'))
const FAKE_KEY = 'gsk_fake_host_key_for_escape_tests_91c3'
const MiB = 1024 ** 2

let dir: string
let driver: BwrapDriver
let hostKeyFile: string
let tcpServer: Server
let tcpPort: number
let hostChild: ChildProcess
const closers: (() => Promise<void>)[] = []

function spec(sessionId: string, env: Record<string, string> = {}): SandboxSpec {
  const root = join(dir, 'data', 'sessions', sessionId)
  return {
    sessionId,
    workspaceDir: join(root, 'workspace'),
    claudeDir: join(root, 'claude'),
    runDir: join(root, 'run'),
    env: { ANTHROPIC_AUTH_TOKEN: `art_token_${sessionId}`, ...env },
  }
}

/** Runs `command` in a sandbox of `sessionId`; resolves with its exit code and combined output. */
function runInside(
  command: string[],
  sessionId = 'alice',
  using: BwrapDriver = driver,
): Promise<{ code: number | null; out: string }> {
  const { child, cgroup } = using.spawnSandboxed(spec(sessionId), command)
  let out = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  return new Promise((resolve) => {
    // 'close', not 'exit': the output may still be in the pipes when the process has exited.
    child.once('close', (code) => {
      void (cgroup?.remove() ?? Promise.resolve()).then(() => resolve({ code, out }))
    })
  })
}

const sh = (script: string, sessionId?: string) => runInside(['/bin/sh', '-c', script], sessionId)

describe.skipIf(bwrapProblem !== undefined || !distBuilt)(
  `bwrap sandbox escapes ${bwrapProblem === undefined ? '' : `(skipped: ${bwrapProblem})`}${distBuilt ? '' : '(skipped: run npm run build first)'}`,
  () => {
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'ar-bwrap-'))
      process.env.GROQ_API_KEY = FAKE_KEY
      hostKeyFile = join('/root', `.agent-router-escape-test-${process.pid}.key`)
      try {
        writeFileSync(hostKeyFile, FAKE_KEY)
      } catch {
        hostKeyFile = join(dir, 'host.key')
        writeFileSync(hostKeyFile, FAKE_KEY)
      }
      mkdirSync(spec('bob').workspaceDir, { recursive: true })
      writeFileSync(join(spec('bob').workspaceDir, 'secret.txt'), 'bob-only')
      const router = await serveOnUnixSocket(
        new Hono().get('/llm/ping', (c) => c.text(`pong ${c.req.header('authorization') ?? ''}`)).fetch,
        join(dir, 'run', 'router.sock'),
      )
      closers.push(router.close)
      driver = createBwrapDriver({
        stateDir: join(dir, 'state'),
        routerSocket: router.socketPath,
        limits: { memoryBytes: 256 * MiB, pids: 64 },
      })
      tcpServer = createServer((socket) => socket.end('host-only\n'))
      await new Promise<void>((resolve) => tcpServer.listen(0, '127.0.0.1', resolve))
      tcpPort = (tcpServer.address() as { port: number }).port
      hostChild = spawn('sleep', ['60'], { stdio: 'ignore' })
    })

    afterAll(async () => {
      hostChild?.kill('SIGKILL')
      tcpServer?.close()
      for (const close of closers) await close()
      rmSync(hostKeyFile, { force: true })
      rmSync(dir, { recursive: true, force: true })
      delete process.env.GROQ_API_KEY
    })

    it('writes the own workspace, seen on the host, and sees it at /workspace', async () => {
      const { code, out } = await sh('pwd && echo made-inside > note.txt && cat /workspace/note.txt')
      expect(code).toBe(0)
      expect(out).toBe('/workspace\nmade-inside\n')
      expect(readFileSync(join(spec('alice').workspaceDir, 'note.txt'), 'utf8')).toBe('made-inside\n')
    })

    it("cannot read another session's files, DATA_DIR or the project checkout", async () => {
      const bobFile = join(spec('bob').workspaceDir, 'secret.txt')
      const { out } = await sh(
        `cat ${bobFile} || echo DENIED-bob; ls ${join(dir, 'data')} || echo DENIED-data; ls ${join(packageRoot(), 'src')} || echo DENIED-checkout; ls /workspace`,
      )
      expect(out).not.toContain('bob-only')
      expect(out).toContain('DENIED-bob')
      expect(out).toContain('DENIED-data')
      expect(out).toContain('DENIED-checkout')
    })

    it('cannot read host secrets: /etc/shadow, a key file under /root, the host environment', async () => {
      const { out } = await sh(
        `cat /etc/shadow || echo DENIED-shadow; cat ${hostKeyFile} || echo DENIED-key; ls /root || echo DENIED-root; env; cat /proc/1/environ; cat /proc/*/environ; grep -r ${FAKE_KEY} /proc/*/environ /etc 2>/dev/null; echo done`,
      )
      expect(out).toContain('DENIED-shadow')
      expect(out).toContain('DENIED-key')
      expect(out).toContain('DENIED-root')
      expect(out).not.toContain(FAKE_KEY)
      expect(out).not.toContain('root:')
      expect(out).toContain('ANTHROPIC_AUTH_TOKEN=art_token_alice')
    })

    it("keeps the host's /etc/localtime link a link, so the time zone is named without scanning zoneinfo", async () => {
      let hostLink = 'NOT-A-LINK'
      try {
        hostLink = readlinkSync('/etc/localtime')
      } catch {
        // no link on this host: the file (if any) is bound as it is
      }
      const { out } = await sh('readlink /etc/localtime || echo NOT-A-LINK')
      expect(out.trim()).toBe(hostLink)
    })

    it('refuses a spec that carries a provider key', () => {
      expect(() => driver.spawnSandboxed(spec('alice', { GROQ_API_KEY: FAKE_KEY }), ['/bin/true'])).toThrow(
        /must not carry provider credentials/,
      )
    })

    it('cannot write outside the workspace: the checkout, /opt/agent-router, /usr, /etc', async () => {
      const target = join(packageRoot(), `escape-${process.pid}.txt`)
      const { out } = await sh(
        `for f in ${target} /opt/agent-router/dist/x /opt/agent-router/package.json /usr/x /etc/passwd /bin/x; do (echo x > $f) 2>/dev/null && echo WROTE-$f || echo DENIED; done`,
      )
      expect(out).not.toContain('WROTE')
      expect(out.match(/DENIED/g)).toHaveLength(6)
      expect(existsSync(target)).toBe(false)
    })

    it('cannot change kernel settings: /proc/sys is read-only (root may write sysctls by file mode)', async () => {
      // Writes back the current value, so nothing changes even if the write went through.
      const { out } = await sh(
        'v=$(cat /proc/sys/kernel/core_pattern); (echo "$v" > /proc/sys/kernel/core_pattern) 2>/dev/null && echo WROTE || echo DENIED; mount -t tmpfs none /tmp 2>/dev/null && echo MOUNTED || echo DENIED',
      )
      expect(out).toBe('DENIED\nDENIED\n')
    })

    it('cannot reach the network: a TCP port open on the host loopback is unreachable', async () => {
      const script = `const s=require('net').connect(${tcpPort},'127.0.0.1');s.on('data',d=>{console.log('REACHED '+d);process.exit(0)});s.on('error',e=>{console.log('BLOCKED '+e.code);process.exit(0)})`
      const { out } = await runInside([process.execPath, '-e', script])
      expect(out).toMatch(/BLOCKED (ECONNREFUSED|ENETUNREACH)/)
      expect(out).not.toContain('host-only')
      const ifaces = await sh('cat /proc/net/dev')
      expect(ifaces.out).not.toMatch(/eth|ens|wlan|veth/)
    })

    it('cannot see or signal host processes', async () => {
      const { out } = await sh(
        `kill -9 ${hostChild.pid} 2>&1 || echo DENIED-kill; kill -9 1 2>&1; ls /proc | grep -c '^[0-9]'`,
      )
      expect(out).toContain('DENIED-kill')
      expect(hostChild.exitCode).toBeNull()
      expect(() => process.kill(hostChild.pid!, 0)).not.toThrow()
      const visible = Number(out.trim().split('\n').at(-1))
      expect(visible).toBeLessThan(10)
    })

    it('reaches the router (and only it) through the loopback forwarder', async () => {
      const script =
        "fetch(process.env.ANTHROPIC_BASE_URL+'/ping',{headers:{authorization:'Bearer '+process.env.ANTHROPIC_AUTH_TOKEN}}).then(r=>r.text()).then(t=>console.log(t),e=>console.log('FAILED',e.cause?.code))"
      const { out } = await runInside([process.execPath, '-e', script])
      expect(out.trim()).toBe('pong Bearer art_token_alice')
    })

    it('reports cgroup limits when cgroups are writable, rlimits otherwise', () => {
      expect(driver.limits.memory.bytes).toBe(256 * MiB)
      expect(driver.limits.pids.max).toBe(64)
      expect(['cgroup', 'rlimit', 'none']).toContain(driver.limits.memory.enforcedBy)
      const fallback = createBwrapDriver({ stateDir: join(dir, 'state-rlimit'), cgroups: false })
      expect(fallback.limits.memory).toMatchObject({ enforcedBy: 'rlimit', bytes: 2 * 1024 * MiB })
      expect(fallback.limits.pids.enforcedBy).toBe(process.getuid?.() === 0 ? 'none' : 'rlimit')
    })

    it('stops a memory hog with an error naming the memory limit, and other sandboxes keep running', async () => {
      if (driver.limits.memory.enforcedBy !== 'cgroup') return
      const hog = await startServing('hog', 'const a=[];for(;;)a.push(Buffer.alloc(1<<24,1))')
      const calm = await startServing('calm', '')
      const error = await collectRunError(hog)
      expect(error).toMatch(/memory limit \(256 MiB\)/)
      expect((await hog.exited).reason).toMatch(/memory limit/)
      expect(await calm.client.health()).toMatchObject({ ok: true })
      await calm.stop()
    }, 30_000)

    it('ends a run broken by a limit only once the sandbox is gone, so the next turn cannot get the dying one', async () => {
      // A tool process eats the memory while the container server goes on streaming, as Claude Code does.
      const hog = await startServing(
        'hog-end',
        "require('child_process').spawn(process.execPath,['-e','const a=[];for(;;)a.push(Buffer.alloc(1<<24,1))'],{stdio:'ignore'});setInterval(()=>s.write('{\"type\":\"tick\"}\\n'),10)",
      )
      let gone = false
      void hog.exited.then(() => {
        gone = true
      })
      const lines: unknown[] = []
      try {
        for await (const line of hog.client.run({ prompt: 'go' })) lines.push(line)
      } catch (err) {
        lines.push((err as Error).message)
      }
      expect(JSON.stringify(lines)).toMatch(/memory limit \(256 MiB\)/)
      expect(gone).toBe(true)
    }, 30_000)

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

    it('stops a fork bomb with an error naming the process limit', async () => {
      if (driver.limits.pids.enforcedBy !== 'cgroup') return
      const bomb = await startServing(
        'bomb',
        "require('child_process').spawn('/bin/sh',['-c','f(){ f | f & }; f; sleep 30'],{stdio:'ignore'})",
      )
      const error = await collectRunError(bomb)
      expect(error).toMatch(/process limit \(64 processes\)/)
      expect((await bomb.exited).reason).toMatch(/process limit/)
    }, 30_000)

    it('runs every process of the sandbox inside its cgroup, with no descriptor of the handshake left open', async () => {
      if (driver.limits.pids.enforcedBy !== 'cgroup') return
      const { child, cgroup, out } = await spawnUntilReady(
        driver,
        'sleep 30 & ls -l /proc/self/fd; echo READY; wait',
      )
      try {
        // The sockets inside are stdin, stdout and stderr; not the handshake's info and block descriptors.
        expect(socketDescriptors(out)).toEqual([0, 1, 2])
        const sandboxed = descendantsOf(child.pid!)
        expect(sandboxed.length).toBeGreaterThanOrEqual(3)
        expect(cgroup!.pids()).toEqual(expect.arrayContaining(sandboxed))
      } finally {
        await kill(child, cgroup)
      }
    })

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

    it('lets only SANDBOX_EGRESS hosts through the egress proxy', async () => {
      const proxy = await startEgressProxy({
        socketPath: join(dir, 'run', 'egress.sock'),
        allow: ['127.0.0.1'],
      })
      closers.push(proxy.close)
      const withEgress = createBwrapDriver({
        stateDir: join(dir, 'state-egress'),
        egressSocket: proxy.socketPath,
        cgroups: false,
      })
      const script = `const http=require('http');const u=new URL(process.env.HTTPS_PROXY);
const go=(h)=>new Promise(r=>{const q=http.request({host:u.hostname,port:u.port,method:'CONNECT',path:h+':${tcpPort}'});
q.on('connect',(res,s,head)=>{if(res.statusCode!==200){console.log(h,res.statusCode);s.destroy();return r()}
const got=d=>{console.log(h,'200',String(d).trim());s.destroy();r()};if(head.length>0)got(head);else s.once('data',got)});
q.on('error',e=>{console.log(h,'ERR',e.code);r()});q.end()});
go('127.0.0.1').then(()=>go('localhost')).then(()=>go('example.com'))`
      const { out } = await runInside([process.execPath, '-e', script], 'egress', withEgress)
      expect(out).toContain('127.0.0.1 200 host-only')
      expect(out).toContain('localhost 403')
      expect(out).toContain('example.com 403')
    })
  },
)

/** Starts a real sandbox through `driver.start` whose server answers health, and runs `onPost` on `POST /`. */
/** Runs `script` in a sandbox of alice; resolves once it is in its cgroup and has printed READY. */
async function spawnUntilReady(using: BwrapDriver, script: string) {
  const sandboxed = using.spawnSandboxed(spec('alice'), ['/bin/sh', '-c', script])
  let out = ''
  sandboxed.child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  try {
    await sandboxed.confined
    await vi.waitFor(() => expect(out).toContain('READY'), { timeout: 10_000 })
  } catch (err) {
    await kill(sandboxed.child, sandboxed.cgroup)
    throw err
  }
  return { ...sandboxed, out }
}

async function kill(child: ChildProcess, cgroup: SandboxCgroup | undefined): Promise<void> {
  try {
    process.kill(-child.pid!, 'SIGKILL')
  } catch {
    // gone
  }
  await cgroup?.remove()
}

/** The descriptors `ls -l /proc/self/fd` showed as sockets. */
const socketDescriptors = (out: string) =>
  [...out.matchAll(/ (\d+) -> socket:/g)].map((m) => Number(m[1])).sort((a, b) => a - b)

async function startServing(sessionId: string, onPost: string, setup = '') {
  const script = `${setup}const http=require('http');http.createServer((q,s)=>{if(q.method==='POST'){s.writeHead(200,{'content-type':'application/x-ndjson'});s.write('{"type":"started"}\\n');${onPost}}else s.end('{"ok":true}')}).listen(process.env.CONTAINER_SOCKET)`
  return driver.start(spec(sessionId), [process.execPath, '-e', script], { startTimeoutMs: 10_000 })
}

async function collectRunError(handle: Awaited<ReturnType<typeof startServing>>): Promise<string> {
  try {
    for await (const line of handle.client.run({ prompt: 'go' })) {
      const error = (line as { type?: string; error?: { message?: string } }).error
      if (error?.message !== undefined) return error.message
    }
    return 'the run ended without an error'
  } catch (err) {
    return (err as Error).message
  }
}
