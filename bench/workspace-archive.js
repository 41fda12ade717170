/**
 * `npm run bench:archive`: what keeping a workspace through a container sleep costs (Cloudflare host). The
 * container server's pack and restore (src/container/workspace/workspace-archive.ts: every path checked, secrets
 * replaced) against GNU `tar czf` / `tar xzf` of the same folder in the same run, on two workspaces: a small
 * project (this repository's `src/`) and a dependency-heavy one (a copy of part of `node_modules`). Reports
 * the median time of each, the ratio, and the archive size.
 *
 *   node bench/workspace-archive.js [runs, default 5]       (needs `npm run build`; uses dist/)
 */
import { spawnSync } from 'node:child_process'
import { cpSync, createReadStream, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packArchive, restoreArchive } from '../dist/container/workspace/workspace-archive.js'

const RUNS = Number(process.argv[2] ?? 5)
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const LIMIT = 2 * 1024 ** 3
const dir = mkdtempSync(join(tmpdir(), 'ar-bench-archive-'))

function sizeOf(path) {
  const stat = statSync(path)
  if (!stat.isDirectory()) return { bytes: stat.size, files: 1 }
  let bytes = 0
  let files = 0
  for (const name of readdirSync(path)) {
    const sub = sizeOf(join(path, name))
    bytes += sub.bytes
    files += sub.files
  }
  return { bytes, files }
}

async function time(fn) {
  const started = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - started) / 1e6
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const mb = (bytes) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`

function workspace(name, sources) {
  const ws = join(dir, name, 'workspace')
  mkdirSync(ws, { recursive: true })
  for (const source of sources) cpSync(join(ROOT, source), join(ws, source), { recursive: true })
  return ws
}

const cases = [
  ['small project (src/)', workspace('small', ['src'])],
  [
    'with dependencies',
    workspace('deps', [
      'src',
      'node_modules/zod',
      'node_modules/hono',
      'node_modules/typescript',
      'node_modules/yaml',
    ]),
  ],
]

const rows = []
for (const [label, ws] of cases) {
  const { bytes, files } = sizeOf(ws)
  const roots = { workspaceDir: ws, claudeDir: undefined }
  const pack = []
  const restore = []
  const tarPack = []
  const tarRestore = []
  let archiveBytes = 0
  for (let run = 0; run < RUNS; run++) {
    let packed
    pack.push(
      await time(async () => {
        packed = await packArchive(roots, { maxBytes: LIMIT, secrets: ['router-token-0123456789'] })
      }),
    )
    archiveBytes = packed.bytes
    const target = { workspaceDir: join(dir, 'out', String(run)), claudeDir: undefined }
    restore.push(
      await time(() =>
        restoreArchive(createReadStream(packed.file), target, { maxBytes: LIMIT, transcripts: true }),
      ),
    )
    await packed.dispose()
    rmSync(target.workspaceDir, { recursive: true, force: true })

    const file = join(dir, 'baseline.tar.gz')
    tarPack.push(await time(() => spawnSync('tar', ['czf', file, '-C', ws, '.'])))
    const out = join(dir, 'out', `tar-${run}`)
    mkdirSync(out, { recursive: true })
    tarRestore.push(await time(() => spawnSync('tar', ['xzf', file, '-C', out])))
    rmSync(out, { recursive: true, force: true })
  }
  rows.push({
    workspace: label,
    files,
    content: mb(bytes),
    archive: mb(archiveBytes),
    'pack ms': median(pack).toFixed(0),
    'tar czf ms': median(tarPack).toFixed(0),
    'pack ratio': (median(pack) / median(tarPack)).toFixed(2),
    'restore ms': median(restore).toFixed(0),
    'tar xzf ms': median(tarRestore).toFixed(0),
    'restore ratio': (median(restore) / median(tarRestore)).toFixed(2),
  })
}
rmSync(dir, { recursive: true, force: true })
console.log(`workspace archive: pack and restore against GNU tar, median of ${RUNS} runs`)
console.table(rows)
