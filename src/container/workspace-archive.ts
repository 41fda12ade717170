/**
 * The session's workspace and Claude Code's transcripts as one `.tar.gz`, so a host whose container disk does
 * not outlive the container (Cloudflare) can keep them elsewhere and put them back on the next start.
 *
 * Entries are `workspace/<path>` (files, folders, symlinks that stay inside the workspace) and
 * `claude/projects/<folder>/<id>.jsonl` (the transcripts and nothing else of CLAUDE_CONFIG_DIR: no settings,
 * no credentials). Packing replaces the container's own secret values (its router token) wherever they occur
 * in a file. Restoring reads the whole archive once to check it — every name relative with no `.` or `..`
 * segment, only files, folders and in-workspace symlinks, the uncompressed total under the limit — and only
 * then writes anything, so a damaged or hostile archive changes nothing. Files are written before symlinks, and
 * never through a folder that resolves outside its root.
 *
 * tar-stream (streaming tar, no file-system logic of its own) with node:zlib: every path this module writes
 * is one it checked itself, instead of trusting an extractor's options.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, realpath, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createGzip } from 'node:zlib'
import * as tar from 'tar-stream'
import { formatByteSize } from '../config/byte-size.js'
import { AppError } from '../protocol/errors.js'

export interface ArchiveRoots {
  workspaceDir: string
  /** CLAUDE_CONFIG_DIR; without it only the workspace is packed, and transcript entries are refused. */
  claudeDir: string | undefined
}

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

type Entry =
  | { kind: 'dir'; name: string }
  | { kind: 'file'; name: string; path: string; size: number; mode: number }
  | { kind: 'symlink'; name: string; target: string }

function unsafe(message: string): AppError {
  return new AppError('invalid_request_error', `the workspace archive was not restored: ${message}`)
}

function overLimit(what: string, bytes: number, max: number): AppError {
  return new AppError(
    'request_too_large',
    `${what} holds ${formatByteSize(bytes)}, over the ${formatByteSize(max)} kept when the container sleeps`,
  )
}

/** A symlink target that, read from the link's folder `dirOfLink` (relative to its root), stays inside it. */
function targetStaysInside(dirOfLink: string, target: string): boolean {
  if (target === '' || posix.isAbsolute(target) || target.includes('\0')) return false
  const resolved = posix.normalize(posix.join(dirOfLink, target))
  return resolved !== '..' && !resolved.startsWith('../') && !posix.isAbsolute(resolved)
}

/**
 * An archive name as `{root, rel}`, or undefined when it is not one this module writes: relative, `/`
 * separated, no empty, `.` or `..` segment, no control characters, under `workspace/` or (transcripts only)
 * `claude/projects/<folder>/<name>.jsonl`.
 */
export function checkEntryName(
  name: string,
  kind: Entry['kind'],
): { root: 'workspace' | 'claude'; rel: string } | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (name === '' || name.startsWith('/') || /[\u0000-\u001f\\]/.test(name)) return undefined
  const trimmed = kind === 'dir' && name.endsWith('/') ? name.slice(0, -1) : name
  const segments = trimmed.split('/')
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return undefined
  const [root, ...rest] = segments
  if (rest.length === 0) return undefined
  if (root === 'workspace') return { root, rel: rest.join('/') }
  if (root !== 'claude' || rest[0] !== 'projects' || kind === 'symlink') return undefined
  if (kind === 'dir' && rest.length <= 2) return { root, rel: rest.join('/') }
  if (kind === 'file' && rest.length === 3 && rest[2]!.endsWith('.jsonl'))
    return { root, rel: rest.join('/') }
  return undefined
}

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

/** Reads every header of the archive at `file`, checking names, types, sizes and symlink targets. */
async function checkArchive(file: string, roots: ArchiveRoots, maxBytes: number): Promise<Entry[]> {
  const entries: Entry[] = []
  let contentBytes = 0
  const extract = tar.extract()
  const checked = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const kind = header.type === 'directory' ? 'dir' : header.type === 'symlink' ? 'symlink' : header.type
      if (kind !== 'file' && kind !== 'dir' && kind !== 'symlink')
        return extract.destroy(
          unsafe(`entry '${header.name}' is a ${header.type}; only files, folders and symlinks are kept`),
        )
      const name = checkEntryName(header.name, kind)
      if (name === undefined) return extract.destroy(unsafe(`entry '${header.name}' is not a safe path`))
      if (name.root === 'claude' && roots.claudeDir === undefined)
        return extract.destroy(unsafe('it holds transcripts, and this container has no CLAUDE_CONFIG_DIR'))
      if (kind === 'symlink') {
        const target = header.linkname ?? ''
        if (!targetStaysInside(posix.dirname(name.rel), target))
          return extract.destroy(unsafe(`symlink '${header.name}' points outside the workspace`))
        entries.push({ kind, name: header.name, target })
      } else if (kind === 'dir') entries.push({ kind, name: header.name })
      else {
        contentBytes += header.size ?? 0
        if (contentBytes > maxBytes) return extract.destroy(overLimit('the archive', contentBytes, maxBytes))
        entries.push({
          kind,
          name: header.name,
          path: '',
          size: header.size ?? 0,
          mode: (header.mode ?? 0o644) & 0o755,
        })
      }
      stream.on('end', next)
      stream.resume()
    })
    extract.on('finish', resolve)
    extract.on('error', reject)
  })
  try {
    // Both awaited together: a refused entry rejects both, and neither may go unhandled.
    await Promise.all([pipeline(createReadStream(file), createGunzip(), extract), checked])
  } catch (err) {
    if (err instanceof AppError) throw err
    throw unsafe(`it is damaged (${(err as Error).message})`)
  }
  return entries
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

/** The links among `links` that resolve (or, dangling, would resolve) outside `root`. */
async function linksLeadingOut(root: string, links: string[]): Promise<string[]> {
  const realRoot = await realpath(root)
  const outside = (path: string) => {
    const rel = relative(realRoot, path)
    return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)
  }
  const out: string[] = []
  for (const link of links) {
    let target: string
    try {
      target = await realpath(link)
    } catch {
      // Dangling: where it points from the folder it really is in.
      target = resolve(await realpath(dirname(link)), await readlink(link))
    }
    if (outside(target)) out.push(link)
  }
  return out
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
