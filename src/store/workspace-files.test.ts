import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { listWorkspaceFiles, MAX_FILE_BYTES, readWorkspaceFile } from './workspace-files.js'

let dir = ''
let workspace = ''
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ar-files-'))
  workspace = join(dir, 'workspace')
  mkdirSync(join(workspace, 'src'), { recursive: true })
  writeFileSync(join(workspace, 'README.md'), '# hi\n')
  writeFileSync(join(workspace, 'src', 'a.ts'), 'export const a = 1\n')
  writeFileSync(join(dir, 'secret.txt'), 'outside')
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('workspace files', () => {
  it('lists files with relative paths', async () => {
    const files = await listWorkspaceFiles(workspace)
    expect(files.map((f) => f.path)).toEqual(['README.md', 'src/a.ts'])
    expect(files[0]?.size).toBe(5)
  })

  it('reads a text file', async () => {
    expect(await readWorkspaceFile(workspace, 'src/a.ts')).toEqual({
      path: 'src/a.ts',
      size: 19,
      content: 'export const a = 1\n',
      truncated: false,
      binary: false,
    })
  })

  it.each(['../secret.txt', 'src/../../secret.txt', '/etc/passwd', '', 'a\0b'])(
    'refuses %j',
    async (path) => {
      await expect(readWorkspaceFile(workspace, path)).rejects.toMatchObject({ status: 400 })
    },
  )

  it('refuses a symlink that points outside the workspace', async () => {
    symlinkSync(join(dir, 'secret.txt'), join(workspace, 'link.txt'))
    await expect(readWorkspaceFile(workspace, 'link.txt')).rejects.toThrow(/outside the workspace/)
  })

  it('answers 404 for a missing file and 400 for a directory', async () => {
    await expect(readWorkspaceFile(workspace, 'nope.txt')).rejects.toMatchObject({ status: 404 })
    await expect(readWorkspaceFile(workspace, 'src')).rejects.toMatchObject({ status: 400 })
  })

  it('marks binary files and truncates large ones', async () => {
    writeFileSync(join(workspace, 'bin.dat'), Buffer.from([1, 2, 0, 3]))
    writeFileSync(join(workspace, 'big.txt'), 'x'.repeat(MAX_FILE_BYTES + 10))
    expect(await readWorkspaceFile(workspace, 'bin.dat')).toMatchObject({ binary: true, content: '' })
    const big = await readWorkspaceFile(workspace, 'big.txt')
    expect(big).toMatchObject({ truncated: true, size: MAX_FILE_BYTES + 10 })
    expect(big.content.length).toBe(MAX_FILE_BYTES)
  })
})
