/**
 * `npm run bench:sandbox-start`: what bubblewrap adds to starting a container. Each variant is the driver's
 * own `start()` (spawn, readiness, the first health answer), against the `none` driver (a bare process)
 * in the same run: bwrap with the driver's full confinement and cgroup limits, and bwrap without cgroups
 * (rlimits). The bwrap drivers are `prepare`d for the container command, as the server does, so each start
 * takes a parked sandbox. A second table times the sandbox setup alone (spawn to exit of `/bin/true`),
 * parked and not. Target: <= 20 ms over bare.
 *
 *   node bench/sandbox-start.js [runs, default 40]       (needs `npm run build`; uses dist/)
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultContainerCommand } from '../dist/sandbox/default-command.js'
import { createBwrapDriver, probeBwrap } from '../dist/sandbox/drivers/bwrap/index.js'
import { createNoneDriver } from '../dist/sandbox/drivers/none.js'
import { serveOnUnixSocket } from '../dist/sandbox/host-socket.js'

const RUNS = Number(process.argv[2] ?? 40)
const TARGET_MS = 20

const problem = probeBwrap()
if (problem !== undefined) {
  console.error(`bench:sandbox-start needs bubblewrap: ${problem}`)
  process.exit(1)
}

const dir = mkdtempSync(join(tmpdir(), 'ar-bench-start-'))
const router = await serveOnUnixSocket(() => new Response('ok'), join(dir, 'router.sock'))
const command = defaultContainerCommand()
const TRUE = ['/bin/true']
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

const bare = createNoneDriver({ hostEnv: { PATH: process.env.PATH } })
const withCgroups = createBwrapDriver({ stateDir: join(dir, 'state'), routerSocket: router.socketPath })
const withoutCgroups = createBwrapDriver({
  stateDir: join(dir, 'state'),
  routerSocket: router.socketPath,
  cgroups: false,
})
const by = (driver) => `${driver.limits.memory.enforcedBy}/${driver.limits.pids.enforcedBy}`
const drivers = [
  ['bare process (SANDBOX=none)', bare],
  [`bwrap, limits by ${by(withCgroups)}`, withCgroups],
  [`bwrap, limits by ${by(withoutCgroups)}`, withoutCgroups],
]

/** One container start through `driver.start()`, timed to its first health answer; then stopped. */
async function measureStart(driver) {
  await driver.prepare?.(command)
  const began = performance.now()
  const handle = await driver.start(spec(), command, { stopGraceMs: 0 })
  const ms = performance.now() - began
  await handle.stop()
  return ms
}

/** Spawn to exit of `/bin/true`: the sandbox setup alone, without node's start-up noise. */
async function measureTrue(variant) {
  const [driver, parked] = variant
  if (parked) await driver.prepare(TRUE)
  const began = performance.now()
  const sandboxed = driver === bare ? undefined : driver.spawnSandboxed(spec(), TRUE)
  const child = sandboxed?.child ?? spawn('/bin/true', [], { stdio: 'ignore' })
  child.stdout?.resume()
  child.stderr?.resume()
  await new Promise((resolve) => child.once('exit', resolve))
  const ms = performance.now() - began
  await sandboxed?.cgroup?.remove()
  return ms
}
const trueVariants = [
  ['bare process', [bare, false]],
  [`bwrap, limits by ${by(withCgroups)}, parked`, [withCgroups, true]],
  [`bwrap, limits by ${by(withCgroups)}, spawned on demand`, [withCgroups, false]],
  [`bwrap, limits by ${by(withoutCgroups)}, parked`, [withoutCgroups, true]],
  [`bwrap, limits by ${by(withoutCgroups)}, spawned on demand`, [withoutCgroups, false]],
]

/** Lets the last run's teardown (cgroup removal, namespace cleanup in kernel workers) finish first. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100))

/**
 * One warm-up each (page cache); then rounds that run every variant once, in a shuffled order, so drift and
 * the previous run's teardown hit every variant alike. Overheads are medians of the per-round differences.
 */
async function rounds(variants, measure) {
  for (const [, variant] of variants) await measure(variant)
  const samples = variants.map(() => [])
  for (let run = 0; run < RUNS; run++) {
    const order = variants.map((_, i) => i).sort(() => Math.random() - 0.5)
    for (const i of order) {
      await settle()
      samples[i].push(await measure(variants[i][1]))
    }
  }
  return samples
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}
function table(title, variants, rows) {
  const baseline = quantile(rows[0], 0.5)
  console.log(`\n${title}, ${RUNS} runs each (ms)\n`)
  console.log('| variant | median | p90 | overhead vs bare (median of paired differences) | ratio |')
  console.log('|---|---:|---:|---:|---:|')
  for (const [i, [name]] of variants.entries()) {
    const median = quantile(rows[i], 0.5)
    const overhead = quantile(
      rows[i].map((ms, run) => ms - rows[0][run]),
      0.5,
    )
    const verdict = overhead <= TARGET_MS ? '' : ` (over the ${TARGET_MS} ms target)`
    console.log(
      `| ${name} | ${median.toFixed(1)} | ${quantile(rows[i], 0.9).toFixed(1)} | ${i === 0 ? '—' : `${overhead >= 0 ? '+' : ''}${overhead.toFixed(1)}${verdict}`} | ${(median / baseline).toFixed(2)}x |`,
    )
  }
}
table(
  'container server: driver.start() to its first health answer',
  drivers,
  await rounds(drivers, measureStart),
)
table(
  'sandbox setup alone: spawn to exit of /bin/true',
  trueVariants,
  await rounds(trueVariants, measureTrue),
)

await withCgroups.close()
await withoutCgroups.close()
await router.close()
rmSync(dir, { recursive: true, force: true })
