/**
 * What may be in a workspace archive (workspace-archive.ts), checked before anything is written: names
 * relative, `/`-separated, with no empty, `.` or `..` segment and no control characters, under `workspace/` or
 * `claude/projects/<folder>/<id>.jsonl`; only files, folders and symlinks whose target stays inside the
 * workspace; the uncompressed total under the limit. And, once the links are made, whether any leads out
 * through another.
 */
import { createReadStream } from 'node:fs'
import { readlink, realpath } from 'node:fs/promises'
import { dirname, isAbsolute, posix, relative, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import * as tar from 'tar-stream'
import { formatByteSize } from '../../config/byte-size.js'
import { AppError } from '../../protocol/errors.js'

export interface ArchiveRoots {
  workspaceDir: string
  /** CLAUDE_CONFIG_DIR; without it only the workspace is packed, and transcript entries are refused. */
  claudeDir: string | undefined
}

export type Entry =
  | { kind: 'dir'; name: string }
  | { kind: 'file'; name: string; path: string; size: number; mode: number }
  | { kind: 'symlink'; name: string; target: string }

export function unsafe(message: string): AppError {
  return new AppError('invalid_request_error', `the workspace archive was not restored: ${message}`)
}

export function overLimit(what: string, bytes: number, max: number): AppError {
  return new AppError(
    'request_too_large',
    `${what} holds ${formatByteSize(bytes)}, over the ${formatByteSize(max)} kept when the container sleeps`,
  )
}

/** A symlink target that, read from the link's folder `dirOfLink` (relative to its root), stays inside it. */
export function targetStaysInside(dirOfLink: string, target: string): boolean {
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

/** Reads every header of the archive at `file`, checking names, types, sizes and symlink targets. */
export async function checkArchive(file: string, roots: ArchiveRoots, maxBytes: number): Promise<Entry[]> {
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

/** The links among `links` that resolve (or, dangling, would resolve) outside `root`. */
export async function linksLeadingOut(root: string, links: string[]): Promise<string[]> {
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
