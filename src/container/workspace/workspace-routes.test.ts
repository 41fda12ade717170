import {
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
import { unzipSync } from 'fflate'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ContainerHttpClient } from '../../agent/container-http-client.js'
import { loadContainerConfig } from '../../config/config.js'
import type { WorkspaceSnapshotBody } from '../../protocol/workspace-snapshot.js'
import { MAX_UPLOAD_BYTES } from '../../protocol/workspace-transfers.js'
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

/** A body sent in pieces, with no length ahead: what a streamed upload looks like to the container. */
function chunked(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      const next = chunks.shift()
      if (next === undefined) controller.close()
      else controller.enqueue(next)
    },
  })
}

const put = (body: BodyInit | ReadableStream<Uint8Array>): RequestInit & { duplex: 'half' } => ({
  method: 'PUT',
  body,
  duplex: 'half',
})

describe('container workspace uploads and downloads', () => {
  it('writes an upload, refuses to replace it unless asked, and downloads it and the zip', async () => {
    const app = appFor(workspace)
    const up = await app.request('/workspace/files/data%2Fnew%20file.txt', put('first'))
    expect(up.status).toBe(201)
    expect(await up.json()).toEqual({ path: 'data/new file.txt', size: 5 })
    const again = await app.request('/workspace/files/data%2Fnew%20file.txt', put('second'))
    expect(again.status).toBe(409)
    expect(await again.json()).toMatchObject({ error: { type: 'conflict_error' } })
    const replaced = await app.request('/workspace/files/data%2Fnew%20file.txt?replace=true', put('second'))
    expect(replaced.status).toBe(201)
    expect(readFileSync(join(workspace, 'data', 'new file.txt'), 'utf8')).toBe('second')

    const down = await app.request('/workspace/download/data%2Fnew%20file.txt')
    expect(down.headers.get('content-length')).toBe('6')
    expect(down.headers.get('x-workspace-path')).toBe('data%2Fnew%20file.txt')
    expect(down.headers.get('x-workspace-size')).toBe('6')
    expect(await down.text()).toBe('second')
    const zip = await app.request('/workspace/download')
    expect(zip.headers.get('content-type')).toBe('application/zip')
    const entries = unzipSync(new Uint8Array(await zip.arrayBuffer()))
    expect(Object.keys(entries).sort()).toEqual(['data/new file.txt', 'hello.txt', 'src/a.ts'])
    expect(new TextDecoder().decode(entries['data/new file.txt'])).toBe('second')
  })

  it('refuses uploads and downloads outside the workspace, and uploads over the limit', async () => {
    symlinkSync(root, join(workspace, 'out'))
    const app = appFor(workspace)
    expect((await app.request('/workspace/files/..%2Fescape.txt', put('x'))).status).toBe(400)
    expect((await app.request('/workspace/files/out%2Fescape.txt', put('x'))).status).toBe(400)
    expect((await app.request('/workspace/download/out%2Fsecret')).status).toBe(400)
    expect((await app.request('/workspace/download/missing.txt')).status).toBe(404)
    const mb = new Uint8Array(1024 * 1024)
    const pieces = Array.from({ length: MAX_UPLOAD_BYTES / mb.length + 4 }, () => mb)
    const tooBig = await app.request('/workspace/files/big.bin', put(chunked(pieces)))
    expect(tooBig.status).toBe(413)
    expect(await tooBig.json()).toMatchObject({ error: { type: 'request_too_large' } })
    // Read to its end before the answer, so the answer is not lost with the connection.
    expect(pieces).toEqual([])
    expect(readFileSync(join(root, 'secret'), 'utf8')).toBe('not yours')
    // Nothing was written: not outside, not the oversized file, not its temporary file.
    expect(readdirSync(root).sort()).toEqual(['secret', 'workspace'])
    expect(readdirSync(workspace).sort()).toEqual(['hello.txt', 'out', 'src'])
  })

  it("is what the agent's container client streams uploads and downloads through", async () => {
    const app = appFor(workspace)
    const client = new ContainerHttpClient(async (request) => app.fetch(request), 's1')
    const text = new TextEncoder()
    const body = chunked([text.encode('hello '), text.encode('from a stream')])
    expect(await client.writeFile('notes/up.txt', body, { replace: false })).toEqual({
      path: 'notes/up.txt',
      size: 19,
    })
    await expect(client.writeFile('notes/up.txt', chunked([]), { replace: false })).rejects.toMatchObject({
      type: 'conflict_error',
      status: 409,
    })
    const file = await client.download('notes/up.txt')
    expect(file).toMatchObject({ path: 'notes/up.txt', size: 19 })
    expect(await new Response(file.body).text()).toBe('hello from a stream')
    await expect(client.download('../secret')).rejects.toMatchObject({ type: 'invalid_request_error' })
    const zip = unzipSync(new Uint8Array(await new Response(await client.archive()).arrayBuffer()))
    expect(new TextDecoder().decode(zip['notes/up.txt'])).toBe('hello from a stream')
  })
})
