import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  ensureSessionFolder,
  findSessionFolder,
  generateSandboxId,
  renameSessionFolder,
} from './session-folders.js'

const dir = mkdtempSync(join(tmpdir(), 'folders-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('session folders', () => {
  it('creates a temp sandbox and renames it to the session id', () => {
    const id = generateSandboxId()
    expect(id).toMatch(/^temp_\d+_[0-9a-f]+$/)
    const folder = ensureSessionFolder(dir, id)
    writeFileSync(join(folder.workspacePath, 'a.txt'), 'a')
    expect(renameSessionFolder(dir, id, 'session-1')).toBe(true)
    expect(existsSync(join(dir, 'session-1', 'workspace', 'a.txt'))).toBe(true)
    expect(findSessionFolder(dir, 'session-1')?.workspacePath).toBe(join(dir, 'session-1', 'workspace'))
  })

  it('never moves onto an existing folder or outside the sessions dir', () => {
    ensureSessionFolder(dir, 'taken')
    const id = generateSandboxId()
    ensureSessionFolder(dir, id)
    expect(renameSessionFolder(dir, id, 'taken')).toBe(false)
    expect(renameSessionFolder(dir, id, '../escape')).toBe(false)
    expect(() => ensureSessionFolder(dir, '../x')).toThrow()
    expect(findSessionFolder(dir, '..')).toBeUndefined()
  })
})
