/**
 * A session's workspace for the REST API and the UI: the list of files, one file's content or bytes, and
 * uploads written into it. Paths are relative to the workspace; anything that would resolve outside it (`..`,
 * absolute paths, symlinks pointing out) is refused, by one check that reading and writing share.
 */
import { randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { link, lstat, mkdir, open, realpath, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { Readable } from 'node:stream'
import { AppError } from '../protocol/errors.js'
import { MAX_UPLOAD_BYTES, uploadTooLarge, type WorkspaceDownload } from '../protocol/workspace-transfers.js'
import { snapshotDirectory } from './workspace-snapshot.js'

export interface WorkspaceFileEntry {
  path: string
  size: number
  mtime: number
}

export interface WorkspaceFileContent {
  path: string
  size: number
  /** UTF-8 text (empty for binary files). */
  content: string
  truncated: boolean
  binary: boolean
}

/** Largest part of a file returned by `readWorkspaceFile`. */
export const MAX_FILE_BYTES = 1024 * 1024
export { MAX_UPLOAD_BYTES }

const MAX_PATH_CHARS = 4096

/** The list of files (not directories), sorted by path; empty when the workspace does not exist yet. */
export async function listWorkspaceFiles(workspace: string, maxFiles = 5000): Promise<WorkspaceFileEntry[]> {
  const snapshot = await snapshotDirectory(workspace, maxFiles)
  return [...snapshot.keys()].sort().map((path) => {
    const [size, mtime] = (snapshot.get(path) ?? '0:0').split(':')
    return { path, size: Number(size), mtime: Math.round(Number(mtime)) }
  })
}

function insideWorkspace(root: string, target: string): boolean {
  const rel = relative(root, target)
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)
}

/** `path` made absolute inside the workspace, or a 400 naming what is wrong with it. */
function lexicalTarget(root: string, path: string): string {
  if (path === '' || path.length > MAX_PATH_CHARS || path.includes('\0') || isAbsolute(path)) {
    throw new AppError('invalid_request_error', 'give a file path relative to the workspace')
  }
  const target = resolve(root, path)
  if (!insideWorkspace(root, target)) {
    throw new AppError('invalid_request_error', `'${path.slice(0, 200)}' is outside the workspace`)
  }
  return target
}

/**
 * The real path of an existing file of the workspace and its path relative to it: a 400 for a path outside
 * the workspace (also through a symlink) or for a directory, a 404 when there is no such file.
 */
export async function workspaceFile(
  workspace: string,
  path: string,
): Promise<{ real: string; path: string; size: number }> {
  const root = resolve(workspace)
  const target = lexicalTarget(root, path)
  let real: string
  let realRoot: string
  try {
    realRoot = await realpath(root)
    real = await realpath(target)
  } catch {
    throw new AppError('not_found_error', `no file '${path.slice(0, 200)}' in the workspace`)
  }
  if (!insideWorkspace(realRoot, real)) {
    throw new AppError('invalid_request_error', `'${path.slice(0, 200)}' points outside the workspace`)
  }
  const info = await stat(real)
  if (!info.isFile()) throw new AppError('invalid_request_error', `'${path.slice(0, 200)}' is not a file`)
  return { real, path: relative(realRoot, real).split(sep).join('/'), size: info.size }
}

/** One file of the workspace to download, through the same path checks as reading it. */
export async function workspaceDownload(workspace: string, path: string): Promise<WorkspaceDownload> {
  const file = await workspaceFile(workspace, path)
  const body = Readable.toWeb(createReadStream(file.real)) as ReadableStream<Uint8Array>
  return { body, size: file.size, path: file.path }
}

export async function readWorkspaceFile(workspace: string, path: string): Promise<WorkspaceFileContent> {
  const { real, path: rel, size } = await workspaceFile(workspace, path)
  const handle = await open(real, 'r')
  try {
    const length = Math.min(size, MAX_FILE_BYTES)
    const buffer = Buffer.alloc(length)
    const { bytesRead } = await handle.read(buffer, 0, length, 0)
    const bytes = buffer.subarray(0, bytesRead)
    const binary = bytes.subarray(0, 8192).includes(0)
    return {
      path: rel,
      size,
      content: binary ? '' : bytes.toString('utf8'),
      truncated: size > bytesRead,
      binary,
    }
  } finally {
    await handle.close()
  }
}

const exists = (p: string) =>
  lstat(p).then(
    () => true,
    () => false,
  )

/** The real path of `dir`, made if missing, when it is the workspace or lies in it; a 400 otherwise. */
async function realDirInside(realRoot: string, dir: string, path: string): Promise<string> {
  const inside = (real: string) => real === realRoot || insideWorkspace(realRoot, real)
  const outside = () =>
    new AppError('invalid_request_error', `'${path.slice(0, 200)}' points outside the workspace`)
  // Nothing is made under an ancestor that leads out of the workspace.
  let existing = dir
  while (!(await exists(existing))) existing = dirname(existing)
  if (!inside(await realpath(existing))) throw outside()
  try {
    await mkdir(dir, { recursive: true })
  } catch {
    throw new AppError('invalid_request_error', `'${path.slice(0, 200)}' is inside a file`)
  }
  const real = await realpath(dir)
  if (!inside(real)) throw outside()
  return real
}

/**
 * Writes an upload into the workspace at `path` (folders made as needed): streamed to a temporary file beside
 * it, then moved into place, so a failed or oversized upload changes nothing. A file already there is a 409
 * unless `replace` (so nothing the agent wrote is lost by accident); then the move replaces it, or a symlink
 * there, never the symlink's target. Bodies over `maxBytes` are a 413. The same path checks as reading.
 */
export async function writeWorkspaceFile(
  workspace: string,
  path: string,
  body: ReadableStream<Uint8Array> | null,
  { replace = false, maxBytes = MAX_UPLOAD_BYTES }: { replace?: boolean; maxBytes?: number } = {},
): Promise<{ path: string; size: number }> {
  const root = resolve(workspace)
  const target = lexicalTarget(root, path)
  await mkdir(root, { recursive: true })
  const realRoot = await realpath(root)
  const parent = await realDirInside(realRoot, dirname(target), path)
  const final = join(parent, basename(target))
  const existing = await lstat(final).catch(() => undefined)
  if (existing?.isDirectory())
    throw new AppError('invalid_request_error', `'${path.slice(0, 200)}' is a folder in the workspace`)
  const taken = () =>
    new AppError('conflict_error', `'${path.slice(0, 200)}' is already in the workspace; ask to replace it`)
  if (existing !== undefined && !replace) throw taken()
  const temp = join(parent, `.upload-${randomUUID()}`)
  const handle = await open(temp, 'wx', 0o644)
  let size = 0
  const reader = body?.getReader()
  try {
    for (;;) {
      const next = await reader?.read()
      if (next === undefined || next.done) break
      const chunk = next.value
      size += chunk.byteLength
      if (size > maxBytes) throw uploadTooLarge(maxBytes, path)
      await handle.write(chunk)
    }
    await handle.close()
    if (replace) await rename(temp, final)
    else {
      // A link fails if a file appeared there meanwhile: the check above cannot be raced into a replace.
      await link(temp, final).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'EEXIST' ? taken() : err
      })
      await unlink(temp)
    }
  } catch (err) {
    await reader?.cancel().catch(() => undefined)
    await handle.close().catch(() => undefined)
    await unlink(temp).catch(() => undefined)
    throw err
  }
  return { path: relative(realRoot, final).split(sep).join('/'), size }
}
