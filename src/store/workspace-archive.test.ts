import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unzipSync } from 'fflate'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { workspaceArchive } from './workspace-archive.js'

let dir = ''
let workspace = ''
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ar-archive-'))
  workspace = join(dir, 'workspace')
  mkdirSync(join(workspace, 'src'), { recursive: true })
  mkdirSync(join(workspace, 'node_modules', 'x'), { recursive: true })
  writeFileSync(join(workspace, 'README.md'), '# hi\n')
  writeFileSync(join(workspace, 'src', 'big.txt'), 'line\n'.repeat(200_000))
  writeFileSync(join(workspace, 'node_modules', 'x', 'index.js'), 'skipped')
  writeFileSync(join(dir, 'secret.txt'), 'outside')
  symlinkSync(join(dir, 'secret.txt'), join(workspace, 'link.txt'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

async function unzip(stream: ReadableStream<Uint8Array>): Promise<Record<string, string>> {
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer())
  const files = unzipSync(bytes)
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [k, new TextDecoder().decode(v)]))
}

describe('workspaceArchive', () => {
  it('zips the files the panel lists, compressed, leaving out node_modules and links that lead out', async () => {
    const files = await unzip(workspaceArchive(workspace))
    expect(Object.keys(files).sort()).toEqual(['README.md', 'src/big.txt'])
    expect(files['README.md']).toBe('# hi\n')
    expect(files['src/big.txt']).toBe('line\n'.repeat(200_000))
  })

  it('is an empty archive for a workspace that does not exist yet', async () => {
    expect(await unzip(workspaceArchive(join(dir, 'none')))).toEqual({})
  })
})
