/**
 * Read access to a session's workspace for the REST API and the UI: the list of files, and one file's content.
 * Paths are relative to the workspace; anything that would resolve outside it (`..`, absolute paths, symlinks
 * pointing out) is refused.
 */
import { open, realpath, stat } from 'node:fs/promises'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { AppError } from '../protocol/errors.js'
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

export async function readWorkspaceFile(workspace: string, path: string): Promise<WorkspaceFileContent> {
  if (path === '' || path.length > MAX_PATH_CHARS || path.includes('\0') || isAbsolute(path)) {
    throw new AppError('invalid_request_error', 'give a file path relative to the workspace')
  }
  const root = resolve(workspace)
  const target = resolve(root, path)
  if (!insideWorkspace(root, target)) {
    throw new AppError('invalid_request_error', `'${path.slice(0, 200)}' is outside the workspace`)
  }
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
  const handle = await open(real, 'r')
  try {
    const length = Math.min(info.size, MAX_FILE_BYTES)
    const buffer = Buffer.alloc(length)
    const { bytesRead } = await handle.read(buffer, 0, length, 0)
    const bytes = buffer.subarray(0, bytesRead)
    const binary = bytes.subarray(0, 8192).includes(0)
    return {
      path: relative(realRoot, real).split(sep).join('/'),
      size: info.size,
      content: binary ? '' : bytes.toString('utf8'),
      truncated: info.size > bytesRead,
      binary,
    }
  } finally {
    await handle.close()
  }
}
