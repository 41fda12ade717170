/**
 * Uploads into a session's workspace and downloads from it (one file, or all as a zip) on the Cloudflare
 * host: the same REST answers as the Node host's, done in the container by the same code. The container is
 * started when it sleeps, and an upload is saved, so it is still there after the next sleep. A sleeping
 * session's files are listed from what was saved with its workspace; reading one starts the container.
 */
import { SELF } from 'cloudflare:test'
import { unzipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { MAX_UPLOAD_BYTES } from '../../../src/protocol/workspace-transfers.js'
import { json, post, sleep } from './helpers.js'

const BASE = 'http://agent.test/agent/sessions'

function upload(path: string, body: BodyInit | ReadableStream<Uint8Array>, headers: HeadersInit = {}) {
  return SELF.fetch(`${BASE}/${path}`, { method: 'PUT', body, headers })
}

async function started(sessionId: string, message = 'hello'): Promise<void> {
  expect((await json('/agent/message', post({ sessionId, message }))).status).toBe(200)
}

async function listed(sessionId: string): Promise<string[]> {
  return (await json<{ files: { path: string }[] }>(`/agent/sessions/${sessionId}/files`)).body.files.map(
    (f) => f.path,
  )
}

describe('workspace uploads and downloads on the Cloudflare host', () => {
  it('uploads a file, lists it, downloads it and the whole workspace as a zip', async () => {
    await started('transfer-1', 'write notes/a.txt from the agent')
    const up = await upload('transfer-1/files/docs/read%20me.txt', 'uploaded text')
    expect(up.status).toBe(201)
    expect(await up.json()).toEqual({ path: 'docs/read me.txt', size: 13 })
    expect(await listed('transfer-1')).toEqual(['docs/read me.txt', 'notes/a.txt'])

    const down = await SELF.fetch(`${BASE}/transfer-1/download/docs/read%20me.txt`)
    expect(down.status).toBe(200)
    expect(down.headers.get('content-disposition')).toContain('filename="read me.txt"')
    expect(down.headers.get('content-length')).toBe('13')
    expect(await down.text()).toBe('uploaded text')

    const zip = await SELF.fetch(`${BASE}/transfer-1/download`)
    expect(zip.headers.get('content-type')).toBe('application/zip')
    expect(zip.headers.get('content-disposition')).toContain('transfer-1-workspace.zip')
    const entries = unzipSync(new Uint8Array(await zip.arrayBuffer()))
    expect(Object.keys(entries).sort()).toEqual(['docs/read me.txt', 'notes/a.txt'])
    expect(new TextDecoder().decode(entries['docs/read me.txt'])).toBe('uploaded text')
    expect(new TextDecoder().decode(entries['notes/a.txt'])).toBe('from the agent')
  })

  it('refuses to replace a file unless asked, as the Node host does', async () => {
    await started('transfer-2', 'write notes/a.txt by the agent')
    const taken = await upload('transfer-2/files/notes/a.txt', 'mine')
    expect(taken.status).toBe(409)
    expect(await taken.json()).toMatchObject({ error: { type: 'conflict_error' } })
    expect(await (await SELF.fetch(`${BASE}/transfer-2/download/notes/a.txt`)).text()).toBe('by the agent')
    expect((await upload('transfer-2/files/notes/a.txt?replace=true', 'mine')).status).toBe(201)
    expect(await (await SELF.fetch(`${BASE}/transfer-2/download/notes/a.txt`)).text()).toBe('mine')
    const outside = await upload('transfer-2/files/..%2Fescape.txt', 'x')
    expect(outside.status).toBe(400)
    expect((await SELF.fetch(`${BASE}/transfer-2/download/missing.txt`)).status).toBe(404)
  })

  it('refuses uploads over the size limit, said ahead or found while streaming, and writes nothing', async () => {
    await started('transfer-3')
    const declared = await upload('transfer-3/files/big.bin', 'x', {
      'content-length': String(MAX_UPLOAD_BYTES + 1),
    })
    expect(declared.status).toBe(413)
    const mb = new Uint8Array(1024 * 1024).fill(7)
    let sent = 0
    const streamed = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_UPLOAD_BYTES) return controller.close()
        sent += mb.length
        controller.enqueue(mb)
      },
    })
    const over = await upload('transfer-3/files/big.bin', streamed)
    expect(over.status).toBe(413)
    expect(await over.json()).toMatchObject({ error: { type: 'request_too_large' } })
    expect(await listed('transfer-3')).toEqual([])
  })

  it('starts a sleeping container for an upload, and the upload is still there after the next sleep', async () => {
    await started('transfer-4', 'write a.txt from a turn')
    await sleep('transfer-4')
    expect((await upload('transfer-4/files/b.txt', 'uploaded while asleep')).status).toBe(201)
    expect((await json('/agent/sessions/transfer-4')).body).toMatchObject({
      containerState: { state: 'running' },
    })
    expect(await listed('transfer-4')).toEqual(['a.txt', 'b.txt'])
    await sleep('transfer-4')
    // A download starts it too, with the workspace put back.
    const down = await SELF.fetch(`${BASE}/transfer-4/download/b.txt`)
    expect(await down.text()).toBe('uploaded while asleep')
    expect(await listed('transfer-4')).toEqual(['a.txt', 'b.txt'])
  })

  it("lists a sleeping session's saved files without starting it, and starts it to read one", async () => {
    await started('transfer-5', 'write notes.md from a turn')
    await sleep('transfer-5')
    expect(await listed('transfer-5')).toEqual(['notes.md'])
    expect((await json('/agent/sessions/transfer-5')).body).toMatchObject({
      containerState: { state: 'sleeping' },
    })
    const read = await json<{ path: string; content: string }>('/agent/sessions/transfer-5/files/notes.md')
    expect(read.body).toMatchObject({ path: 'notes.md', content: 'from a turn' })
    expect((await json('/agent/sessions/transfer-5')).body).toMatchObject({
      containerState: { state: 'running' },
    })
  })

  it('answers 404 for a session that does not exist', async () => {
    expect((await upload('nobody/files/a.txt', 'x')).status).toBe(404)
    expect((await SELF.fetch(`${BASE}/nobody/download`)).status).toBe(404)
  })
})
