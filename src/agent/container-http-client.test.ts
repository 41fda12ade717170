import { describe, expect, it } from 'vitest'
import { uploadTooLarge } from '../protocol/workspace-transfers.js'
import { ContainerHttpClient, ndjsonLines } from './container-http-client.js'

async function* streamOf(chunks: string[]): AsyncGenerator<string> {
  yield* chunks
}

async function collect<T>(lines: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const line of lines) out.push(line)
  return out
}

describe('ContainerHttpClient', () => {
  it('yields NDJSON lines split anywhere, multi-byte characters included', async () => {
    const text = '{"a":"é"}\n\n{"b":2}\n{"c":3}'
    for (let size = 1; size <= text.length; size++) {
      const chunks: string[] = []
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size))
      expect(await collect(ndjsonLines(streamOf(chunks), 's'))).toEqual([{ a: 'é' }, { b: 2 }, { c: 3 }])
    }
  })

  it('streams a run over fetch and cancels the body when the reader stops early', async () => {
    let cancelled = false
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"type":"system"}\n{"type":"assistant"}\n'))
      },
      cancel() {
        cancelled = true
      },
    })
    const client = new ContainerHttpClient(async () => new Response(body), 's1')
    for await (const line of client.run({ prompt: 'hi' })) {
      expect(line).toEqual({ type: 'system' })
      break
    }
    expect(cancelled).toBe(true)
  })

  it('says which container sent a line that is not JSON', async () => {
    await expect(collect(ndjsonLines(streamOf(['{"a":1}\nnot json\n']), 's1'))).rejects.toThrow(
      /container s1 sent a line that is not JSON: not json/,
    )
  })

  it("turns the container's error answer into an AppError with its type and status", async () => {
    const client = new ContainerHttpClient(
      async () =>
        Response.json(
          { error: { type: 'not_found_error', message: 'no pending permission request p1' } },
          { status: 404 },
        ),
      's1',
    )
    await expect(client.respondPermission('p1', { allow: true })).rejects.toMatchObject({
      type: 'not_found_error',
      status: 404,
      message: 'no pending permission request p1',
    })
    const down = new ContainerHttpClient(async () => {
      throw new Error('connection refused')
    }, 's2')
    await expect(down.debug()).rejects.toThrow(/container s2 is not reachable \(connection refused\)/)
  })

  it('reads the workspace snapshot and its diffs, an older container answering none', async () => {
    const diff = { patch: [{ oldStart: 1, oldLines: 1, newStart: 1, newLines: 1, lines: ['-a', '+b'] }] }
    let body: unknown = { files: { 'a.txt': '1:2:3' }, diffs: { 'a.txt': diff } }
    const client = new ContainerHttpClient(async (request) => {
      expect(new URL(request.url).pathname).toBe('/workspace/snapshot')
      return Response.json(body)
    }, 's1')
    expect(await client.snapshot()).toEqual({
      files: new Map([['a.txt', '1:2:3']]),
      diffs: new Map([['a.txt', diff]]),
    })
    body = { files: { 'a.txt': '1:2:3' } }
    expect((await client.snapshot()).diffs.size).toBe(0)
    body = { files: { bad: 4 } }
    await expect(client.snapshot()).rejects.toThrow(/workspace snapshot is malformed/)
  })

  it('streams an upload, ending a body over the limit one chunk past it, and says 413 even when the connection breaks', async () => {
    const maxBytes = 8
    let received = 0
    /** As the container answers: the bytes read to the end, refused over the limit. */
    const container = async (request: Request) => {
      expect(new URL(request.url).pathname).toBe('/workspace/files/a%2Fb.txt')
      received = (await request.arrayBuffer()).byteLength
      if (received > maxBytes)
        return Response.json(uploadTooLarge(maxBytes, 'a/b.txt').toJSON(), { status: 413 })
      return Response.json({ path: 'a/b.txt', size: received }, { status: 201 })
    }
    const chunks = (n: number) =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          if (n-- === 0) controller.close()
          else controller.enqueue(new Uint8Array(4))
        },
      })
    const client = new ContainerHttpClient(container, 's1')
    expect(await client.writeFile('a/b.txt', chunks(2), { replace: false, maxBytes })).toEqual({
      path: 'a/b.txt',
      size: 8,
    })
    const tooLarge = { type: 'request_too_large', status: 413 }
    await expect(client.writeFile('a/b.txt', chunks(10), { replace: false, maxBytes })).rejects.toMatchObject(
      tooLarge,
    )
    expect(received).toBe(12)
    const broken = new ContainerHttpClient(async (request) => {
      await request.arrayBuffer()
      throw new Error('connection reset')
    }, 's1')
    await expect(broken.writeFile('a/b.txt', chunks(10), { replace: false, maxBytes })).rejects.toMatchObject(
      tooLarge,
    )
  })
})
