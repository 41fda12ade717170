/**
 * The session's workspace and Claude Code's transcripts as one `.tar.gz`, so a host whose container disk does
 * not outlive the container (Cloudflare) can keep them elsewhere and put them back on the next start.
 *
 * Entries are `workspace/<path>` (files, folders, symlinks that stay inside the workspace) and
 * `claude/projects/<folder>/<id>.jsonl` (the transcripts and nothing else of CLAUDE_CONFIG_DIR: no settings,
 * no credentials). Packing replaces the container's own secret values (its router token) wherever they occur
 * in a file. Restoring reads the whole archive once to check it — every name relative with no `.` or `..`
 * segment, only files, folders and in-workspace symlinks, the uncompressed total under the limit — and only
 * then writes anything (archive-entries.ts), so a damaged or hostile archive changes nothing. Files are written
 * before symlinks, and never through a folder that resolves outside its root; links that lead out through each
 * other are removed, and the restore refused.
 *
 * tar-stream (streaming tar, no file-system logic of its own) with node:zlib: every path this module writes
 * is one it checked itself, instead of trusting an extractor's options.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, realpath, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, posix, relative, sep } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createGzip } from 'node:zlib'
import * as tar from 'tar-stream'
import {
  type ArchiveRoots,
  checkArchive,
  checkEntryName,
  type Entry,
  linksLeadingOut,
  overLimit,
  targetStaysInside,
  unsafe,
} from './archive-entries.js'

export type { ArchiveRoots } from './archive-entries.js'

export interface PackedArchive {
  /** The `.tar.gz` on disk (in its own temp folder; `dispose` removes it). */
  file: string
  bytes: number
  files: number
  /** Uncompressed bytes of the files packed. */
  contentBytes: number
  /** Files in which a secret value was replaced. */
  redacted: number
  /** Paths left out: symlinks that point outside the workspace, sockets, devices. */
  skipped: string[]
  dispose(): Promise<void>
}

export interface RestoredArchive {
  files: number
  contentBytes: number
  transcripts: number
}

/** Files up to this size are read whole and have secrets replaced; larger ones are streamed as they are. */
const REDACT_MAX_BYTES = 16 * 1024 * 1024
/** gzip of incompressible data plus tar headers: what a stored archive may weigh over its content limit. */
const ARCHIVE_OVERHEAD = (max: number) => Math.ceil(max * 0.05) + 1024 * 1024

/** Everything under `dir` (relative names under `prefix`), folders before what they hold. */
async function walk(
  dir: string,
  prefix: string,
  entries: Entry[],
  skipped: string[],
  base = '',
): Promise<void> {
  let names: string[]
  try {
    names = (await readdir(join(dir, base))).sort()
  } catch {
    return
  }
  for (const name of names) {
    const rel = base === '' ? name : `${base}/${name}`
    const path = join(dir, rel)
    const stat = await lstat(path)
    if (stat.isDirectory()) {
      entries.push({ kind: 'dir', name: `${prefix}${rel}/` })
      await walk(dir, prefix, entries, skipped, rel)
    } else if (stat.isFile()) {
      entries.push({ kind: 'file', name: `${prefix}${rel}`, path, size: stat.size, mode: stat.mode & 0o777 })
    } else if (stat.isSymbolicLink()) {
      const target = await readlink(path)
      if (targetStaysInside(posix.dirname(rel), target))
        entries.push({ kind: 'symlink', name: `${prefix}${rel}`, target })
      else skipped.push(`${prefix}${rel}`)
    } else skipped.push(`${prefix}${rel}`)
  }
}

/** The transcripts of CLAUDE_CONFIG_DIR: `projects/<folder>/<id>.jsonl`. */
async function transcriptEntries(claudeDir: string, entries: Entry[]): Promise<void> {
  const projects = join(claudeDir, 'projects')
  let folders: string[]
  try {
    folders = (await readdir(projects)).sort()
  } catch {
    return
  }
  for (const folder of folders) {
    if (!(await lstat(join(projects, folder))).isDirectory()) continue
    entries.push({ kind: 'dir', name: `claude/projects/${folder}/` })
    for (const file of (await readdir(join(projects, folder))).sort()) {
      const path = join(projects, folder, file)
      const stat = await lstat(path)
      if (file.endsWith('.jsonl') && stat.isFile())
        entries.push({
          kind: 'file',
          name: `claude/projects/${folder}/${file}`,
          path,
          size: stat.size,
          mode: 0o600,
        })
    }
  }
}

/** `content` with every occurrence of a secret replaced; the count of replacements. */
function redact(content: Buffer, secrets: Buffer[]): { content: Buffer; count: number } {
  let count = 0
  for (const secret of secrets) {
    let at = content.indexOf(secret)
    if (at === -1) continue
    const parts: Buffer[] = []
    let from = 0
    while (at !== -1) {
      parts.push(content.subarray(from, at), Buffer.from('[REDACTED]'))
      count++
      from = at + secret.length
      at = content.indexOf(secret, from)
    }
    parts.push(content.subarray(from))
    content = Buffer.concat(parts)
  }
  return { content, count }
}

/**
 * Packs the workspace and the transcripts into a temp `.tar.gz`. A `request_too_large` AppError, and nothing
 * packed, when the files hold more than `maxBytes`.
 */
export async function packArchive(
  roots: ArchiveRoots,
  options: { maxBytes: number; secrets: readonly string[] },
): Promise<PackedArchive> {
  const entries: Entry[] = []
  const skipped: string[] = []
  await walk(roots.workspaceDir, 'workspace/', entries, skipped)
  if (roots.claudeDir !== undefined) await transcriptEntries(roots.claudeDir, entries)
  const contentBytes = entries.reduce((sum, e) => sum + (e.kind === 'file' ? e.size : 0), 0)
  if (contentBytes > options.maxBytes) throw overLimit('the workspace', contentBytes, options.maxBytes)

  const secrets = options.secrets.filter((s) => s.length >= 8).map((s) => Buffer.from(s))
  const folder = await mkdtemp(join(tmpdir(), 'workspace-archive-'))
  const file = join(folder, 'archive.tar.gz')
  const dispose = () => rm(folder, { recursive: true, force: true })
  let redacted = 0
  let files = 0
  try {
    const pack = tar.pack()
    const written = pipeline(pack, createGzip(), createWriteStream(file))
    for (const entry of entries) {
      if (entry.kind === 'dir') pack.entry({ name: entry.name, type: 'directory', mode: 0o755 })
      else if (entry.kind === 'symlink')
        pack.entry({ name: entry.name, type: 'symlink', linkname: entry.target })
      else if (entry.size <= REDACT_MAX_BYTES) {
        const result = redact(await readFile(entry.path), secrets)
        if (result.count > 0) redacted++
        await new Promise<void>((resolve, reject) =>
          pack.entry({ name: entry.name, mode: entry.mode }, result.content, (err) =>
            err ? reject(err) : resolve(),
          ),
        )
        files++
      } else {
        const sink = pack.entry({ name: entry.name, size: entry.size, mode: entry.mode })
        await pipeline(createReadStream(entry.path, { start: 0, end: entry.size - 1 }), sink)
        files++
      }
    }
    pack.finalize()
    await written
    const { size } = await lstat(file)
    return { file, bytes: size, files, contentBytes, redacted, skipped, dispose }
  } catch (err) {
    await dispose()
    throw err
  }
}

/**
 * The absolute path of a checked entry, after making sure its folder resolves inside its root. `safe` holds
 * the folders already found inside during this restore (no link is made before the last step, so a folder
 * found inside stays inside).
 */
async function placeOf(
  roots: ArchiveRoots,
  name: string,
  kind: Entry['kind'],
  safe: Set<string>,
): Promise<string> {
  const { root, rel } = checkEntryName(name, kind)!
  const base = root === 'workspace' ? roots.workspaceDir : roots.claudeDir!
  const path = join(base, ...rel.split('/'))
  const parent = dirname(path)
  if (safe.has(parent)) return path
  await mkdir(parent, { recursive: true })
  const [realBase, realParent] = await Promise.all([realpath(base), realpath(parent)])
  const inside = relative(realBase, realParent)
  if (inside.startsWith(`..${sep}`) || inside === '..' || inside.startsWith(sep))
    throw unsafe(`'${name}' would be written outside its folder`)
  safe.add(parent)
  return path
}

/**
 * Restores an archive made by `packArchive` from `input` into `roots`: checked whole first (see the module
 * docblock); an AppError and nothing written when it is damaged, unsafe or over `maxBytes` of content.
 * Files already there are overwritten; others are left alone.
 */
export async function restoreArchive(
  input: Readable | ReadableStream<Uint8Array>,
  roots: ArchiveRoots,
  options: { maxBytes: number; transcripts: boolean },
): Promise<RestoredArchive> {
  const folder = await mkdtemp(join(tmpdir(), 'workspace-restore-'))
  const file = join(folder, 'archive.tar.gz')
  try {
    const maxArchive = options.maxBytes + ARCHIVE_OVERHEAD(options.maxBytes)
    let received = 0
    const source =
      input instanceof Readable ? input : Readable.fromWeb(input as import('node:stream/web').ReadableStream)
    await pipeline(
      source,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          received += chunk.length
          if (received > maxArchive) throw overLimit('the archive', received, maxArchive)
          yield chunk
        }
      },
      createWriteStream(file),
    )
    const entries = await checkArchive(file, roots, options.maxBytes)
    const wanted = (name: string) => options.transcripts || !name.startsWith('claude/')
    await mkdir(roots.workspaceDir, { recursive: true })
    if (roots.claudeDir !== undefined && options.transcripts)
      await mkdir(roots.claudeDir, { recursive: true })
    const safe = new Set<string>()
    for (const entry of entries)
      if (entry.kind === 'dir' && wanted(entry.name))
        await mkdir(await placeOf(roots, entry.name, 'dir', safe), { recursive: true })

    let files = 0
    let contentBytes = 0
    let transcripts = 0
    const extract = tar.extract()
    const written = new Promise<void>((resolve, reject) => {
      extract.on('entry', (header, stream, next) => {
        if (header.type !== 'file' || !wanted(header.name)) {
          stream.on('end', next)
          stream.resume()
          return
        }
        placeOf(roots, header.name, 'file', safe)
          .then((path) => rm(path, { force: true }).then(() => path))
          .then((path) =>
            pipeline(stream, createWriteStream(path, { flags: 'wx', mode: (header.mode ?? 0o644) & 0o755 })),
          )
          .then(
            () => {
              files++
              contentBytes += header.size ?? 0
              if (header.name.startsWith('claude/')) transcripts++
              next()
            },
            (err: unknown) => extract.destroy(err as Error),
          )
      })
      extract.on('finish', resolve)
      extract.on('error', reject)
    })
    await Promise.all([pipeline(createReadStream(file), createGunzip(), extract), written])
    // Last, so no file above was written through a link the archive made.
    const links: string[] = []
    for (const entry of entries) {
      if (entry.kind !== 'symlink') continue
      // Checked afresh: a link made just before may have turned a folder into one that leads elsewhere.
      const path = await placeOf(roots, entry.name, 'symlink', new Set())
      await rm(path, { recursive: true, force: true })
      await symlink(entry.target, path)
      links.push(path)
    }
    // Each target stays inside on its own, but links through links can still lead out: resolved for real.
    const escaping = await linksLeadingOut(roots.workspaceDir, links)
    if (escaping.length > 0) {
      await Promise.all(escaping.map((path) => rm(path, { force: true })))
      throw unsafe(`its symlinks lead out of the workspace through each other (${escaping.length} removed)`)
    }
    return { files, contentBytes, transcripts }
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
}
