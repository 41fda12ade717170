/** `npm run bench`: every benchmark in this folder, one after the other (each prints its own table). */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const BENCHMARKS = [
  'router.js',
  'stream-translation.js',
  'sandbox.js',
  'sandbox-start.js',
  'session-load.js',
  'cloudflare-turn.js',
  'workspace-archive.js',
]
for (const bench of BENCHMARKS.filter((b) => existsSync(join(here, b)))) {
  process.stdout.write(`\n## ${bench}\n\n`)
  const { status } = spawnSync(process.execPath, [join(here, bench)], { stdio: 'inherit' })
  if (status !== 0) process.exit(status ?? 1)
}
