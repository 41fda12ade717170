/**
 * `npm run bench:sandbox-start`: what bubblewrap adds to starting a container, measured from spawn to the
 * first answer of its health check (`GET /` on its unix socket), against the same container server started
 * as a bare process in the same run. Variants: bwrap with the driver's full confinement and cgroup limits,
 * and bwrap without cgroups (rlimits), to show where the time goes. Target: <= 20 ms over bare.
 *
 *   node bench/sandbox-start.js [runs]       (needs `npm run build`; uses dist/)
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultContainerCommand } from '../dist/sandbox/default-command.js'
import { createBwrapDriver, probeBwrap } from '../dist/sandbox/drivers/bwrap.js'
import { containerEnvironment } from '../dist/sandbox/drivers/none.js'
import { serveOnUnixSocket } from '../dist/sandbox/host-socket.js'

const RUNS = Number(process.argv[2] ?? 20)
const TARGET_MS = 20

const problem = probeBwrap()
if (problem !== undefined) {
  console.error(`bench:sandbox-start needs bubblewrap: ${problem}`)
  process.exit(1)
}

const dir = mkdtempSync(join(tmpdir(), 'ar-bench-start-'))
const router = await serveOnUnixSocket(() => new Response('ok'), join(dir, 'router.sock'))
const command = defaultContainerCommand()
let counter = 0

function spec() {
  const root = join(dir, 'sessions', `s${++counter}`)
  return {
    sessionId: `s${counter}`,
    workspaceDir: join(root, 'workspace'),
    claudeDir: join(root, 'claude'),
    runDir: join(root, 'run'),
    env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:1/llm', ANTHROPIC_AUTH_TOKEN: 'art_bench' },
  }
}

/** Resolves once `GET /` on `socketPath` answers 200 (polling every 1 ms until then). */
function healthy(socketPath) {
  return new Promise((resolve) => {
    const attempt = () => {
      const req = request({ socketPath, path: '/', method: 'GET' }, (res) => {
        res.resume()
        res.once('end', () => (res.statusCode === 200 ? resolve() : setTimeout(attempt, 1)))
      })
      req.once('error', () => setTimeout(attempt, 1))
      req.end()
    }
    attempt()
  })
}

/** Spawns one container, waits for its health answer, kills it; resolves with the start time in ms. */
async function measure(start) {
  const began = performance.now()
  const { child, socketPath, cleanup } = start()
  await healthy(socketPath)
  const ms = performance.now() - began
  const exited = new Promise((resolve) => child.once('exit', resolve))
  process.kill(-child.pid, 'SIGKILL')
  await exited
  await cleanup?.()
  return ms
}

const bare = () => {
  const s = spec()
  const socketPath = join(s.runDir, 'container.sock')
  const [executable, ...args] = command
  const child = spawn(executable, args, {
    env: containerEnvironment(s, socketPath, { PATH: process.env.PATH }),
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  })
  return { child, socketPath }
}

const sandboxed = (driver) => () => {
  const { child, cgroup, hostSocketPath } = driver.spawnSandboxed(spec(), command)
  child.stdout.resume()
  child.stderr.resume()
  return { child, socketPath: hostSocketPath, cleanup: () => cgroup?.remove() }
}

const withCgroups = createBwrapDriver({ stateDir: join(dir, 'state'), routerSocket: router.socketPath })
const withoutCgroups = createBwrapDriver({
  stateDir: join(dir, 'state'),
  routerSocket: router.socketPath,
  cgroups: false,
})
const variants = [
  ['bare process (SANDBOX=none)', bare],
  [
    `bwrap, limits by ${withCgroups.limits.memory.enforcedBy}/${withCgroups.limits.pids.enforcedBy}`,
    sandboxed(withCgroups),
  ],
  [
    `bwrap, limits by ${withoutCgroups.limits.memory.enforcedBy}/${withoutCgroups.limits.pids.enforcedBy}`,
    sandboxed(withoutCgroups),
  ],
]

/** Spawn to exit of `/bin/true`: the sandbox setup alone, without node's start-up noise. */
async function measureTrue(variant) {
  const began = performance.now()
  const child =
    variant === 0
      ? spawn('/bin/true', [], { stdio: 'ignore' })
      : (variant === 1 ? withCgroups : withoutCgroups).spawnSandboxed(spec(), ['/bin/true'])
  const cgroup = child.cgroup
  const proc = child.child ?? child
  proc.stdout?.resume()
  proc.stderr?.resume()
  await new Promise((resolve) => proc.once('exit', resolve))
  const ms = performance.now() - began
  await cgroup?.remove()
  return ms
}

// One warm-up each (page cache), then interleaved runs so drift hits every variant alike.
for (const [, start] of variants) await measure(start)
const samples = variants.map(() => [])
const trueSamples = variants.map(() => [])
for (let run = 0; run < RUNS; run++) {
  for (const [i, [, start]] of variants.entries()) {
    samples[i].push(await measure(start))
    trueSamples[i].push(await measureTrue(i))
  }
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}
function table(title, rows) {
  const baseline = quantile(rows[0], 0.5)
  console.log(`\n${title}, ${RUNS} runs each (ms)\n`)
  console.log('| variant | median | p90 | overhead vs bare (median) | ratio |')
  console.log('|---|---:|---:|---:|---:|')
  for (const [i, [name]] of variants.entries()) {
    const median = quantile(rows[i], 0.5)
    const overhead = median - baseline
    const verdict = overhead <= TARGET_MS ? '' : ` (over the ${TARGET_MS} ms target)`
    console.log(
      `| ${name} | ${median.toFixed(1)} | ${quantile(rows[i], 0.9).toFixed(1)} | ${i === 0 ? '—' : `${overhead >= 0 ? '+' : ''}${overhead.toFixed(1)}${verdict}`} | ${(median / baseline).toFixed(2)}x |`,
    )
  }
}
table('container server: spawn to first health answer', samples)
table('sandbox setup alone: spawn to exit of /bin/true', trueSamples)

await router.close()
rmSync(dir, { recursive: true, force: true })
