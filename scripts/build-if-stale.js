/**
 * `npm start` runs this first: it builds (`npm run build`) only when the build is missing or older than its
 * inputs, so a start with nothing changed takes the server's own start-up time instead of a full rebuild.
 * The inputs are the sources under src/ (tests excepted), the package and lock files, the installed
 * dependencies and the TypeScript configs. `npm run build` ends with `--stamp`, which records the newest
 * input time in dist/.build-stamp; any input newer than that makes the next start build again.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const stampPath = join(root, 'dist', '.build-stamp')
const outputs = [join(root, 'dist', 'cli.js'), join(root, 'dist', 'ui', 'index.html')]
const inputFiles = ['package.json', 'package-lock.json', 'node_modules/.package-lock.json'].concat(
  readdirSync(root).filter((name) => /^tsconfig.*\.json$/.test(name)),
)

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path))
    else if (!/\.test\.tsx?$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

function newestInput() {
  let newest = newestMtime(join(root, 'src'))
  for (const file of inputFiles) {
    const path = join(root, file)
    if (existsSync(path)) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

if (process.argv.includes('--stamp')) {
  writeFileSync(stampPath, `${newestInput()}\n`)
} else {
  const built = existsSync(stampPath) && outputs.every((path) => existsSync(path))
  const builtFrom = built ? Number(readFileSync(stampPath, 'utf8')) : Number.NaN
  const newest = newestInput()
  if (!(builtFrom >= newest)) {
    process.stdout.write(built ? 'agent-router: sources changed, building…\n' : 'agent-router: building…\n')
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
    const build = spawnSync(npm, ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' })
    if (build.status !== 0) process.exit(build.status ?? 1)
  }
}
