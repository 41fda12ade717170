import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  listWorkspaceFiles,
  MAX_FILE_BYTES,
  readWorkspaceFile,
  writeWorkspaceFile,
} from './workspace-files.js'

const body = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(new TextEncoder().encode(chunk))
      c.close()
    },
  })

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

describe('uploads', () => {
  it('writes a file, making its folders, and replaces one that is there only when asked to', async () => {
    expect(await writeWorkspaceFile(workspace, 'docs/new/a.txt', body('hel', 'lo'))).toEqual({
      path: 'docs/new/a.txt',
      size: 5,
    })
    expect(readFileSync(join(workspace, 'docs/new/a.txt'), 'utf8')).toBe('hello')
    await expect(writeWorkspaceFile(workspace, 'README.md', body('# new\n'))).rejects.toMatchObject({
      status: 409,
    })
    expect(readFileSync(join(workspace, 'README.md'), 'utf8')).toBe('# hi\n')
    await writeWorkspaceFile(workspace, 'README.md', body('# new\n'), { replace: true })
    expect(readFileSync(join(workspace, 'README.md'), 'utf8')).toBe('# new\n')
    expect(readdirSync(workspace).filter((f) => f.startsWith('.upload-'))).toEqual([])
    expect(await writeWorkspaceFile(workspace, 'empty.txt', null)).toEqual({ path: 'empty.txt', size: 0 })
  })

  it.each(['../secret.txt', 'src/../../x.txt', '/etc/x', '', 'a\0b'])(
    'refuses %j and writes nothing',
    async (path) => {
      await expect(writeWorkspaceFile(workspace, path, body('x'))).rejects.toMatchObject({ status: 400 })
      expect(readFileSync(join(dir, 'secret.txt'), 'utf8')).toBe('outside')
    },
  )

  it('refuses to write through a symlinked folder that leads out, or into a file or over a folder', async () => {
    symlinkSync(dir, join(workspace, 'out'))
    await expect(writeWorkspaceFile(workspace, 'out/secret.txt', body('x'))).rejects.toThrow(/outside/)
    await expect(writeWorkspaceFile(workspace, 'out/new/y.txt', body('x'))).rejects.toThrow(/outside/)
    expect(readFileSync(join(dir, 'secret.txt'), 'utf8')).toBe('outside')
    expect(existsSync(join(dir, 'new'))).toBe(false)
    await expect(writeWorkspaceFile(workspace, 'README.md/x', body('x'))).rejects.toThrow(/inside a file/)
    await expect(writeWorkspaceFile(workspace, 'src', body('x'), { replace: true })).rejects.toThrow(/folder/)
  })

  it('replaces a symlink to a file outside, not the file it points to', async () => {
    symlinkSync(join(dir, 'secret.txt'), join(workspace, 'link.txt'))
    await writeWorkspaceFile(workspace, 'link.txt', body('mine'), { replace: true })
    expect(readFileSync(join(dir, 'secret.txt'), 'utf8')).toBe('outside')
    expect(readFileSync(join(workspace, 'link.txt'), 'utf8')).toBe('mine')
  })

  it('refuses an upload over the limit with a 413 and leaves nothing behind', async () => {
    await expect(
      writeWorkspaceFile(workspace, 'big.bin', body('12345', '6789'), { maxBytes: 8 }),
    ).rejects.toMatchObject({
      status: 413,
    })
    expect(existsSync(join(workspace, 'big.bin'))).toBe(false)
    expect(readdirSync(workspace).filter((f) => f.startsWith('.upload-'))).toEqual([])
  })
})
