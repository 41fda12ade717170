/**
 * The router benchmark's child processes: starting them, finding a free port, waiting for HTTP, the CPU time
 * of a process tree (Linux `/proc`), pinning a tree to a CPU and stopping every child with its descendants
 * when the benchmark exits.
 */
import { execFileSync, spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'

const children = []
process.on('exit', () => {
  for (const c of children) killTree(c.pid)
})
// Without these, a SIGINT or SIGTERM would end the benchmark without 'exit' and leave its children running.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130))

/**
 * Spawns `node <args>` and resolves `{child, port}` once `ready(output so far)` returns a port.
 * @param {string} name
 * @param {string[]} args
 * @param {Record<string, string>} env
 * @param {(out: string) => number | undefined} ready
 */
export function start(name, args, env, ready) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let out = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${out.slice(-500)}`)), 30_000)
    const onData = (d) => {
      out += d
      const port = ready(out)
      if (port !== undefined) {
        clearTimeout(timer)
        resolve({ child, port })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}: ${out.slice(-500)}`)))
  })
}

/** A port nothing listens on now (for peers that take a port number, not 0): the system's pick, released. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}

export async function waitHttp(url) {
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(url)
      await res.arrayBuffer()
      return
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  throw new Error(`${url} never answered`)
}

/** Fields of `/proc/<pid>/stat` after the command name (index 0 is the state), or undefined once it is gone. */
function statFields(pid) {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  } catch {
    return undefined
  }
}

/** `pid` and every live descendant of it, from the parent pid of each process in `/proc`. */
export function processTree(pid) {
  const byParent = new Map()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const parent = statFields(entry)?.[1]
    if (parent === undefined) continue
    byParent.set(parent, [...(byParent.get(parent) ?? []), Number(entry)])
  }
  const tree = [pid]
  for (let i = 0; i < tree.length; i++) tree.push(...(byParent.get(String(tree[i])) ?? []))
  return tree
}

/**
 * CPU seconds (user + system) process `pid` and its descendants have used so far: each live one's own time
 * plus the time of children it has already reaped (Linux `/proc`).
 */
export function treeCpuSeconds(pid) {
  if (!pid || !statFields(pid)) return Number.NaN
  let ticks = 0
  for (const p of processTree(pid)) {
    const f = statFields(p)
    if (f) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])
  }
  return ticks / 100
}

/** Moves every thread of process `pid` and of its descendants onto CPU `cpu` (children spawned later inherit it). */
export function pinTree(pid, cpu) {
  for (const p of processTree(pid))
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(p)], { stdio: 'ignore' })
}

/** SIGKILLs `pid` and its descendants (a peer may start processes of its own). */
function killTree(pid) {
  for (const p of processTree(pid).reverse()) {
    try {
      process.kill(p, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}
