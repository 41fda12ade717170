/**
 * `npm run dev`: bundles dev/dev.ts for Node (its TypeScript imports the repository's src/) and runs it.
 * See dev/dev.ts.
 */
import { mkdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const hostDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const repoRoot = resolve(hostDir, '../..')
// Inside the repository, so the bundle's bare imports resolve to its packages.
const outDir = join(repoRoot, 'node_modules/.cache/agent-router-cloudflare-dev')
mkdirSync(outDir, { recursive: true })
// One file per run: two runs at once (two test runs, say) must not import each other's half-written bundle.
const outfile = join(outDir, `dev-${process.pid}.mjs`)
await build({
  entryPoints: [join(hostDir, 'dev/dev.ts')],
  bundle: true,
  format: 'esm',
  platform: 'node',
  packages: 'external',
  outfile,
  logLevel: 'error',
})
const wranglerBin = createRequire(join(hostDir, 'package.json')).resolve('wrangler/bin/wrangler.js')
const { runDev } = await import(pathToFileURL(outfile).href).finally(() => rmSync(outfile, { force: true }))
await runDev({ hostDir, repoRoot, wranglerBin, argv: process.argv.slice(2) })
