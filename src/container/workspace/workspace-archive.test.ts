import {
  createReadStream,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import * as tar from 'tar-stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../protocol/errors.js'
import { checkEntryName } from './archive-entries.js'
import { archiveRoutes } from './archive-routes.js'
import { type ArchiveRoots, packArchive, restoreArchive } from './workspace-archive.js'

let dir: string
let from: ArchiveRoots
let to: ArchiveRoots
const SECRET = 'router-token-0123456789abcdef'

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'workspace-archive-test-'))
  from = { workspaceDir: join(dir, 'a', 'workspace'), claudeDir: join(dir, 'a', 'claude') }
  to = { workspaceDir: join(dir, 'b', 'workspace'), claudeDir: join(dir, 'b', 'claude') }
  mkdirSync(from.workspaceDir, { recursive: true })
  mkdirSync(from.claudeDir!, { recursive: true })
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

async function packed(roots: ArchiveRoots, maxBytes = 1024 * 1024): Promise<Buffer> {
  const archive = await packArchive(roots, { maxBytes, secrets: [SECRET] })
  try {
    return readFileSync(archive.file)
  } finally {
    await archive.dispose()
  }
}

type RawEntry = {
  name: string
  type?: 'file' | 'directory' | 'symlink' | 'link'
  content?: string
  linkname?: string
}

/** An archive made by hand, as a hostile or broken client could send it. */
async function handMade(entries: RawEntry[]): Promise<Buffer> {
  const pack = tar.pack()
  for (const e of entries) {
    if (e.type === 'file' || e.type === undefined) pack.entry({ name: e.name }, e.content ?? '')
    else pack.entry({ name: e.name, type: e.type, linkname: e.linkname })
  }
  pack.finalize()
  const chunks: Buffer[] = []
  for await (const chunk of pack) chunks.push(chunk as Buffer)
  return gzipSync(Buffer.concat(chunks))
}

async function restore(bytes: Buffer, maxBytes = 1024 * 1024, transcripts = true) {
  return restoreArchive(Readable.from([bytes]), to, { maxBytes, transcripts })
}

async function treeOf(root: string): Promise<string[]> {
  if (!existsSync(root)) return []
  return (await readdir(root, { recursive: true })).sort()
}

describe('packing and restoring the workspace', () => {
  it('carries files, folders, in-workspace symlinks and transcripts to a fresh disk, and nothing else', async () => {
    mkdirSync(join(from.workspaceDir, 'src', 'empty'), { recursive: true })
    writeFileSync(join(from.workspaceDir, 'notes.md'), '# Notes\n')
    writeFileSync(join(from.workspaceDir, 'src', 'data.bin'), Buffer.from([0, 1, 2, 255]))
    symlinkSync('src/data.bin', join(from.workspaceDir, 'latest'))
    symlinkSync('/etc/passwd', join(from.workspaceDir, 'outside'))
    mkdirSync(join(from.claudeDir!, 'projects', '-workspace'), { recursive: true })
    writeFileSync(join(from.claudeDir!, 'projects', '-workspace', 'abc.jsonl'), '{"type":"user"}\n')
    writeFileSync(join(from.claudeDir!, '.credentials.json'), '{"token":"x"}')
    writeFileSync(join(from.claudeDir!, 'settings.json'), '{}')

    const archive = await packArchive(from, { maxBytes: 1024 * 1024, secrets: [SECRET] })
    expect(archive).toMatchObject({ files: 3, skipped: ['workspace/outside'], redacted: 0 })
    const restored = await restoreArchive(createReadStream(archive.file), to, {
      maxBytes: 1024 * 1024,
      transcripts: true,
    })
    await archive.dispose()
    expect(restored).toEqual({ files: 3, contentBytes: archive.contentBytes, transcripts: 1 })
    expect(readFileSync(join(to.workspaceDir, 'notes.md'), 'utf8')).toBe('# Notes\n')
    expect([...readFileSync(join(to.workspaceDir, 'src', 'data.bin'))]).toEqual([0, 1, 2, 255])
    expect(readlinkSync(join(to.workspaceDir, 'latest'))).toBe('src/data.bin')
    expect(lstatSync(join(to.workspaceDir, 'src', 'empty')).isDirectory()).toBe(true)
    expect(existsSync(join(to.workspaceDir, 'outside'))).toBe(false)
    expect(await treeOf(to.claudeDir!)).toEqual([
      'projects',
      'projects/-workspace',
      'projects/-workspace/abc.jsonl',
    ])
  })

  it('replaces the container secrets wherever a packed file holds them', async () => {
    writeFileSync(join(from.workspaceDir, 'env.txt'), `TOKEN=${SECRET}\nagain ${SECRET}\n`)
    await restore(await packed(from))
    expect(readFileSync(join(to.workspaceDir, 'env.txt'), 'utf8')).toBe(
      'TOKEN=[REDACTED]\nagain [REDACTED]\n',
    )
  })

  it('restores the workspace only when asked to leave the transcripts out', async () => {
    writeFileSync(join(from.workspaceDir, 'a.txt'), 'a')
    mkdirSync(join(from.claudeDir!, 'projects', '-workspace'), { recursive: true })
    writeFileSync(join(from.claudeDir!, 'projects', '-workspace', 'old.jsonl'), '{}\n')
    expect(await restore(await packed(from), 1024 * 1024, false)).toMatchObject({ files: 1, transcripts: 0 })
    expect(await treeOf(to.claudeDir!)).toEqual([])
  })

  it('refuses to pack a workspace over the limit, naming both sizes', async () => {
    writeFileSync(join(from.workspaceDir, 'big.bin'), Buffer.alloc(3000))
    const err = await packArchive(from, { maxBytes: 2048, secrets: [] }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({
      type: 'request_too_large',
      message: expect.stringMatching(/2\.9 KiB.*2 KiB|over/),
    })
  })

  it('overwrites a file in place of a symlink instead of writing through it', async () => {
    const victim = join(dir, 'victim.txt')
    writeFileSync(victim, 'untouched')
    mkdirSync(to.workspaceDir, { recursive: true })
    symlinkSync(victim, join(to.workspaceDir, 'a.txt'))
    await restore(await handMade([{ name: 'workspace/a.txt', content: 'new' }]))
    expect(readFileSync(victim, 'utf8')).toBe('untouched')
    expect(lstatSync(join(to.workspaceDir, 'a.txt')).isFile()).toBe(true)
  })

  it('never writes into a folder that resolves outside the workspace', async () => {
    mkdirSync(join(dir, 'elsewhere'))
    mkdirSync(to.workspaceDir, { recursive: true })
    symlinkSync(join(dir, 'elsewhere'), join(to.workspaceDir, 'dir'))
    const err = await restore(await handMade([{ name: 'workspace/dir/x.txt', content: 'x' }])).catch((e) => e)
    expect(err).toMatchObject({ type: 'invalid_request_error', message: expect.stringMatching(/outside/) })
    expect(await treeOf(join(dir, 'elsewhere'))).toEqual([])
  })
})

describe('refusing a damaged or hostile archive, with nothing written', () => {
  const hostile: [string, RawEntry[]][] = [
    ['a parent segment', [{ name: 'workspace/../../evil.txt', content: 'x' }]],
    ['an absolute path', [{ name: '/tmp/evil.txt', content: 'x' }]],
    ['a name outside the two roots', [{ name: 'evil.txt', content: 'x' }]],
    ['a symlink out of the workspace', [{ name: 'workspace/up', type: 'symlink', linkname: '../../..' }]],
    ['an absolute symlink', [{ name: 'workspace/etc', type: 'symlink', linkname: '/etc' }]],
    ['a hard link', [{ name: 'workspace/h', type: 'link', linkname: 'workspace/a.txt' }]],
    ['a Claude file that is not a transcript', [{ name: 'claude/settings.json', content: '{}' }]],
    ['a transcript symlink', [{ name: 'claude/projects/p/x.jsonl', type: 'symlink', linkname: 'y.jsonl' }]],
  ]
  for (const [what, entries] of hostile) {
    it(`refuses ${what}`, async () => {
      const bytes = await handMade([{ name: 'workspace/a.txt', content: 'first entry is fine' }, ...entries])
      const err = await restore(bytes).catch((e: unknown) => e)
      expect(err).toMatchObject({
        type: 'invalid_request_error',
        message: expect.stringMatching(/not restored/),
      })
      expect(await treeOf(join(dir, 'b'))).toEqual([])
    })
  }

  it('removes symlinks that lead out of the workspace through each other', async () => {
    const bytes = await handMade([
      { name: 'workspace/a/b/c', type: 'symlink', linkname: '../..' },
      { name: 'workspace/a/b/c/l', type: 'symlink', linkname: '../..' },
    ])
    const err = await restore(bytes).catch((e: unknown) => e)
    expect(err).toMatchObject({ type: 'invalid_request_error', message: expect.stringMatching(/lead out/) })
    expect(existsSync(join(to.workspaceDir, 'l'))).toBe(false)
  })

  it('refuses bytes that are not a gzip archive', async () => {
    const err = await restore(Buffer.from('not an archive at all')).catch((e: unknown) => e)
    expect(err).toMatchObject({ type: 'invalid_request_error', message: expect.stringMatching(/damaged/) })
    expect(await treeOf(join(dir, 'b'))).toEqual([])
  })

  it('refuses an archive cut short', async () => {
    writeFileSync(join(from.workspaceDir, 'a.txt'), 'x'.repeat(5000))
    const whole = await packed(from)
    const err = await restore(whole.subarray(0, Math.floor(whole.length / 2))).catch((e: unknown) => e)
    expect(err).toMatchObject({ type: 'invalid_request_error' })
    expect(await treeOf(join(dir, 'b'))).toEqual([])
  })

  it('refuses an archive whose files unpack to more than the limit (a gzip bomb)', async () => {
    const bytes = await handMade([{ name: 'workspace/zeros', content: '\0'.repeat(200_000) }])
    expect(bytes.length).toBeLessThan(2048)
    const err = await restore(bytes, 100_000).catch((e: unknown) => e)
    expect(err).toMatchObject({ type: 'request_too_large' })
    expect(await treeOf(join(dir, 'b'))).toEqual([])
  })

  it('checks names the way the restore does', () => {
    expect(checkEntryName('workspace/a/b.txt', 'file')).toEqual({ root: 'workspace', rel: 'a/b.txt' })
    expect(checkEntryName('workspace/a/', 'dir')).toEqual({ root: 'workspace', rel: 'a' })
    expect(checkEntryName('workspace//a', 'file')).toBeUndefined()
    expect(checkEntryName('workspace/./a', 'file')).toBeUndefined()
    expect(checkEntryName('workspace/a\\..\\b', 'file')).toBeUndefined()
    expect(checkEntryName('workspace/a\nb', 'file')).toBeUndefined()
    expect(checkEntryName('workspace', 'dir')).toBeUndefined()
  })
})

describe('the archive routes', () => {
  it('answer a bad limit and a body that is no archive with a 400 that says why', async () => {
    const app = archiveRoutes(from, [SECRET])
    app.onError((err, c) => c.json((err as AppError).toJSON(), (err as AppError).status as 400))
    const limit = await app.request('/?maxBytes=lots')
    expect(limit.status).toBe(400)
    expect(await limit.text()).toMatch(/maxBytes must be a positive whole number/)
    const put = await app.request('/', { method: 'PUT', body: 'garbage' })
    expect(put.status).toBe(400)
    expect(await put.text()).toMatch(/not restored: it is damaged/)
  })

  it('serves the archive with its length and counts', async () => {
    writeFileSync(join(from.workspaceDir, 'a.txt'), `hello ${SECRET}`)
    const res = await archiveRoutes(from, [SECRET]).request('/')
    expect(res.status).toBe(200)
    const bytes = Buffer.from(await res.arrayBuffer())
    expect(res.headers.get('content-length')).toBe(String(bytes.length))
    expect(res.headers.get('x-archive-redacted')).toBe('1')
    await restore(bytes)
    expect(readFileSync(join(to.workspaceDir, 'a.txt'), 'utf8')).toBe('hello [REDACTED]')
  })
})
