/** A whole turn over the WebSocket protocol: Worker -> ClaudeCodeAgent -> ClaudeCodeContainer -> container. */
import { describe, expect, it } from 'vitest'
import { connect, seqs } from './helpers.js'

describe('WebSocket turn on the Cloudflare host', () => {
  it('runs a Write turn: echo, tool events, the file change, the result, each persisted with the next seq', async () => {
    const client = await connect('ws-turn')
    await client.next((f) => f.type === 'status' && f.seq === undefined)
    client.send({ type: 'user_message', content: 'write hello.txt hi there', timestamp: Date.now() })
    await client.turnEnd()
    const persisted = client.frames.filter((f) => f.seq !== undefined)
    expect(persisted.map((f) => f.type)).toEqual([
      'user_message',
      'status',
      'tool_use',
      'tool_result',
      'file_change',
      'result',
      'status',
    ])
    expect(seqs(client.frames)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(persisted.find((f) => f.type === 'file_change')).toMatchObject({
      content: 'Created: hello.txt',
      data: { path: 'hello.txt', action: 'created' },
    })
    expect(persisted.find((f) => f.type === 'result')?.content).toBe('Wrote hello.txt.')
    client.close()
  })

  it("carries the diff of a file a command changed, made by the container's workspace snapshot", async () => {
    const client = await connect('ws-command-diff')
    await client.next((f) => f.type === 'status' && f.seq === undefined)
    client.send({ type: 'user_message', content: 'write notes.txt first' })
    await client.turnEnd()
    const from = client.frames.length
    client.send({ type: 'user_message', content: 'append notes.txt second' })
    await client.turnEnd(from)
    const change = client.frames.slice(from).find((f) => f.type === 'file_change')
    expect(change).toMatchObject({
      content: 'Modified: notes.txt',
      data: {
        path: 'notes.txt',
        action: 'modified',
        // The Write left no newline at the end: the line `echo` appended continues it.
        patch: [
          {
            oldStart: 1,
            oldLines: 1,
            newStart: 1,
            newLines: 1,
            lines: ['-first', '\\ No newline at end of file', '+firstsecond'],
          },
        ],
      },
    })
    client.close()
  })

  it('replays what came after the given seq on reconnect, then a status snapshot, then live events', async () => {
    const first = await connect('ws-replay')
    first.send({ type: 'user_message', content: 'one' })
    await first.turnEnd()
    first.close()
    const again = await connect('ws-replay', 2)
    const snapshot = await again.next((f) => f.type === 'status' && f.seq === undefined)
    expect(seqs(again.frames.slice(0, again.frames.indexOf(snapshot)))).toEqual([3, 4])
    const from = again.frames.length
    again.send({ type: 'user_message', content: 'two' })
    await again.turnEnd(from)
    expect(seqs(again.frames.slice(from))).toEqual([5, 6, 7, 8])
    again.close()
  })

  it('answers a bad frame with an error to that client only, changing nothing', async () => {
    const client = await connect('ws-bad')
    client.send({ type: 'user_message' })
    const error = await client.next((f) => f.type === 'error')
    expect(error.seq).toBeUndefined()
    expect(error.content).toMatch(/invalid frame: content/)
    const again = await connect('ws-bad')
    await again.next((f) => f.type === 'status')
    expect(seqs(again.frames)).toEqual([])
  })
})
