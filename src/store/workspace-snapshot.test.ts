import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { snapshotDirectory } from './workspace-snapshot.js'

let dir = ''
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('workspace snapshots', () => {
  it('fingerprints files by relative path so changes show, skipping node_modules and .git', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ar-ws-'))
    writeFileSync(join(dir, 'keep.txt'), 'same')
    writeFileSync(join(dir, 'edit.txt'), 'v1')
    writeFileSync(join(dir, 'gone.txt'), 'bye')
    const before = await snapshotDirectory(dir)
    mkdirSync(join(dir, 'src'))
    writeFileSync(join(dir, 'src', 'new.ts'), 'export {}')
    writeFileSync(join(dir, 'edit.txt'), 'version two')
    unlinkSync(join(dir, 'gone.txt'))
    mkdirSync(join(dir, 'node_modules'))
    writeFileSync(join(dir, 'node_modules', 'ignored.js'), '')
    mkdirSync(join(dir, '.git'))
    writeFileSync(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main')
    const after = await snapshotDirectory(dir)
    expect([...before.keys()].sort()).toEqual(['edit.txt', 'gone.txt', 'keep.txt'])
    expect([...after.keys()].sort()).toEqual(['edit.txt', 'keep.txt', 'src/new.ts'])
    expect(after.get('keep.txt')).toBe(before.get('keep.txt'))
    expect(after.get('edit.txt')).not.toBe(before.get('edit.txt'))
  })

  it('reads nothing from a workspace that does not exist yet', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ar-ws-'))
    expect((await snapshotDirectory(join(dir, 'missing'))).size).toBe(0)
  })
})
