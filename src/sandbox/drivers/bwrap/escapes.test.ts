/**
 * Escape attempts against the bwrap driver's confinement: shell commands run inside a sandbox built exactly
 * as the driver builds it (spawnSandboxed), and the router and egress paths out of it.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  closers,
  describeBwrap,
  dir,
  driver,
  runInside,
  sh,
  spec,
  useBwrapSandboxes,
} from '../../../../test/fixtures/bwrap-sandboxes.js'
import { startEgressProxy } from '../../egress-proxy.js'
import { packageRoot } from './args.js'
import { createBwrapDriver } from './index.js'

const FAKE_KEY = 'gsk_fake_host_key_for_escape_tests_91c3'

let hostKeyFile: string
let tcpServer: Server
let tcpPort: number
let hostChild: ChildProcess

describeBwrap('bwrap sandbox escapes', () => {
  useBwrapSandboxes()
  beforeAll(async () => {
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
    tcpServer = createServer((socket) => socket.end('host-only\n'))
    await new Promise<void>((resolve) => tcpServer.listen(0, '127.0.0.1', resolve))
    tcpPort = (tcpServer.address() as { port: number }).port
    hostChild = spawn('sleep', ['60'], { stdio: 'ignore' })
  })

  afterAll(() => {
    hostChild?.kill('SIGKILL')
    tcpServer?.close()
    rmSync(hostKeyFile, { force: true })
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
})
