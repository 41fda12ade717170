/**
 * The seed's session folders for `POST /` without a session: a run gets a temporary sandbox
 * `<sessionsDir>/temp_<ts>_<rand>/workspace`, renamed to Claude Code's session id once the run reports it,
 * so a later request that resumes that session finds its files again.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, renameSync } from 'node:fs'
import { join } from 'node:path'

/** Folder names this module creates or accepts: no separators, no dots, so never a path escape. */
const FOLDER_NAME = /^[A-Za-z0-9_-]{1,128}$/

export interface SessionFolder {
  id: string
  /** `<sessionsDir>/<id>` */
  folder: string
  /** `<sessionsDir>/<id>/workspace` */
  workspacePath: string
}

/** A fresh temp sandbox id, `temp_<ms>_<random>` (seed: generateSandboxId). */
export function generateSandboxId(now = Date.now()): string {
  return `temp_${now}_${randomBytes(6).toString('hex')}`
}

export function isSafeFolderName(id: string): boolean {
  return FOLDER_NAME.test(id)
}

/** Creates `<sessionsDir>/<id>/workspace` when missing and returns its paths. */
export function ensureSessionFolder(sessionsDir: string, id: string): SessionFolder {
  if (!isSafeFolderName(id)) throw new Error(`invalid session folder name '${id}'`)
  const folder = join(sessionsDir, id)
  const workspacePath = join(folder, 'workspace')
  mkdirSync(workspacePath, { recursive: true })
  return { id, folder, workspacePath }
}

/** The existing folder of an earlier session, or undefined. */
export function findSessionFolder(sessionsDir: string, id: string): SessionFolder | undefined {
  if (!isSafeFolderName(id)) return undefined
  const folder = join(sessionsDir, id)
  const workspacePath = join(folder, 'workspace')
  return existsSync(workspacePath) ? { id, folder, workspacePath } : undefined
}

/**
 * Renames `<sessionsDir>/<fromId>` to `<sessionsDir>/<toId>`; false (and nothing moved) when the target
 * exists, a name is unsafe, or the rename fails.
 */
export function renameSessionFolder(sessionsDir: string, fromId: string, toId: string): boolean {
  if (!isSafeFolderName(fromId) || !isSafeFolderName(toId) || fromId === toId) return false
  const target = join(sessionsDir, toId)
  if (existsSync(target)) return false
  try {
    renameSync(join(sessionsDir, fromId), target)
    return true
  } catch {
    return false
  }
}
