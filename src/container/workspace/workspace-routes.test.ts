import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadContainerConfig } from '../../config/config.js'
import type { WorkspaceSnapshotBody } from '../../protocol/workspace-snapshot.js'
import { createContainerApp } from '../app.js'

let root: string
let workspace: string

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'container-workspace-'))
  workspace = join(root, 'workspace')
  mkdirSync(join(workspace, 'src'), { recursive: true })
  writeFileSync(join(workspace, 'hello.txt'), 'hi')
  writeFileSync(join(workspace, 'src', 'a.ts'), 'export {}')
  writeFileSync(join(root, 'secret'), 'not yours')
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

/** The whole container app, so errors are answered as the container answers them. */
const appFor = (dir: string) => createContainerApp(loadContainerConfig({ WORKSPACE_DIR: dir }))

describe('container workspace routes', () => {
  it('serves a snapshot whose fingerprints change when a file does, with the diff of its text', async () => {
    const app = appFor(workspace)
    const first = (await (await app.request('/workspace/snapshot')).json()) as {
      files: Record<string, string>
    }
    expect(Object.keys(first.files).sort()).toEqual(['hello.txt', 'src/a.ts'])
    writeFileSync(join(workspace, 'hello.txt'), 'hello, longer')
    const second = (await (await app.request('/workspace/snapshot')).json()) as WorkspaceSnapshotBody
    expect(second.files['hello.txt']).not.toBe(first.files['hello.txt'])
    expect(second.files['src/a.ts']).toBe(first.files['src/a.ts'])
    // The diff is against the text as of the previous snapshot, which the container kept.
    expect(second.diffs).toEqual({
      'hello.txt': {
        patch: [
          {
            oldStart: 1,
            oldLines: 1,
            newStart: 1,
            newLines: 1,
            lines: ['-hi', '\\ No newline at end of file', '+hello, longer', '\\ No newline at end of file'],
          },
        ],
      },
    })
  })

  it('lists files and reads one, refusing paths that leave the workspace', async () => {
    symlinkSync(join(root, 'secret'), join(workspace, 'link'))
    const app = appFor(workspace)
    const list = (await (await app.request('/workspace/files')).json()) as { files: { path: string }[] }
    expect(list.files.map((f) => f.path)).toContain('src/a.ts')
    const file = await app.request('/workspace/files/src%2Fa.ts')
    expect(await file.json()).toMatchObject({ path: 'src/a.ts', content: 'export {}', binary: false })
    expect((await app.request('/workspace/files/link')).status).toBe(400)
    expect((await app.request('/workspace/files/%E0%A4%A')).status).toBe(400)
    expect((await app.request('/workspace/files/missing.txt')).status).toBe(404)
  })
})
