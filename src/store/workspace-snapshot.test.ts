import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { diffSnapshots } from '../agent/workspace-diff.js'
import { snapshotDirectory } from './workspace-snapshot.js'

let dir = ''
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('workspace snapshots', () => {
  it('reports created, modified and deleted files by relative path, skipping node_modules and .git', async () => {
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
    const after = await snapshotDirectory(dir)
    expect(diffSnapshots(before, after)).toEqual([
      { path: 'edit.txt', action: 'modified' },
      { path: 'gone.txt', action: 'deleted' },
      { path: 'src/new.ts', action: 'created' },
    ])
  })

  it('reads nothing from a workspace that does not exist yet', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ar-ws-'))
    expect((await snapshotDirectory(join(dir, 'missing'))).size).toBe(0)
  })
})
