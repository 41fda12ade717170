/**
 * Nothing is lost when a container sleeps: the workspace and Claude Code's transcript are saved to R2 after
 * each turn and put back when the container starts again on a fresh disk (the runtime stand-in wipes it on
 * stop, as Cloudflare does). And when the saved copy cannot help (over the limit, damaged), the person is told
 * and the conversation still comes back from the event log.
 */
import { env, SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { WorkspaceArchives } from '../src/workspace-archives.js'
import { type Client, connect, hostControl, json, sleep } from './helpers.js'

/** Sends a message and returns the frames of its turn. */
async function turn(client: Client, content: string) {
  const from = client.frames.length
  client.send({ type: 'user_message', content })
  await client.turnEnd(from)
  return client.frames.slice(from)
}

async function fileOf(sessionId: string, path: string) {
  return json<{ content?: string; error?: { message: string } }>(`/agent/sessions/${sessionId}/files/${path}`)
}

/** The stored archive's bytes, unpacked from gzip (a tar is readable enough to look for a string in). */
async function storedTar(sessionId: string): Promise<string> {
  const stored = await env.WORKSPACES.get(WorkspaceArchives.key(sessionId))
  expect(stored).not.toBeNull()
  const tar = stored!.body.pipeThrough(new DecompressionStream('gzip'))
  return new TextDecoder().decode(await new Response(tar).arrayBuffer())
}

describe('the workspace through a container sleep on the Cloudflare host', () => {
  it('keeps the files and the transcript: the next turn sees the file and Claude Code resumes its own session', async () => {
    const client = await connect('persist')
    await turn(client, 'write name.txt Ada')
    expect(await storedTar('persist')).toMatch(/workspace\/name\.txt[\s\S]*Ada/)
    await sleep('persist')

    const after = await turn(client, 'what is in name.txt?')
    // Resumed, not restored: no notice, and the prompt went to Claude Code as it was typed.
    expect(after.filter((f) => f.type === 'notice')).toEqual([])
    expect(after.find((f) => f.type === 'result')?.content).toBe('You said: what is in name.txt?')
    // Put back before the turn looked at the workspace: no file shows up as created again.
    expect(after.filter((f) => f.type === 'file_change')).toEqual([])
    expect((await fileOf('persist', 'name.txt')).body).toMatchObject({ content: 'Ada' })
    client.close()
  })

  it('keeps files through two sleeps in a row, with the changes of the turn in between', async () => {
    const client = await connect('twice')
    await turn(client, 'write a.txt one')
    await sleep('twice')
    await turn(client, 'write b.txt two')
    await sleep('twice')
    const after = await turn(client, 'still there?')
    expect(after.filter((f) => f.type === 'notice')).toEqual([])
    expect((await fileOf('twice', 'a.txt')).body).toMatchObject({ content: 'one' })
    expect((await fileOf('twice', 'b.txt')).body).toMatchObject({ content: 'two' })
    client.close()
  })

  it('saves what an interrupted turn wrote before it was stopped', async () => {
    const client = await connect('interrupted')
    client.send({ type: 'user_message', content: 'hold draft.txt half done' })
    await client.next((f) => f.type === 'file_change')
    expect((await json('/agent/sessions/interrupted/interrupt', { method: 'POST' })).body).toEqual({
      interrupted: true,
    })
    await client.turnEnd()
    await sleep('interrupted')
    await turn(client, 'go on')
    expect((await fileOf('interrupted', 'draft.txt')).body).toMatchObject({ content: 'half done' })
    client.close()
  })

  it('never stores the container secrets: its router token is replaced in the archive', async () => {
    const client = await connect('secret')
    await turn(client, 'hello')
    const id = env.CONTAINER.idFromName('secret').toString()
    const { running } = await hostControl<{ running: Record<string, Record<string, string>> }>('state')
    const token = running[id]!.ANTHROPIC_AUTH_TOKEN!
    expect(token.length).toBeGreaterThan(20)
    await turn(client, `write leak.txt ${token}`)
    const tar = await storedTar('secret')
    expect(tar).not.toContain(token)
    expect(tar).toContain('[REDACTED]')
    client.close()
  })

  it('says when the workspace is over the limit, keeps the last copy for its files, and restores the conversation', async () => {
    const client = await connect('too-big')
    await turn(client, 'write small.txt kept')
    const over = await turn(client, `write big.txt ${'x'.repeat(70_000)}`)
    const notice = over.find((f) => f.type === 'notice')
    expect(notice?.data).toMatchObject({ kind: 'workspace_not_saved' })
    expect(notice?.content).toMatch(/over the 64 KiB kept when the container sleeps.*WORKSPACE_ARCHIVE_LIMIT/)
    await sleep('too-big')

    const after = await turn(client, 'what do you remember?')
    // The files of the last saved turn; its transcript is older than the conversation, so it is not resumed.
    expect((await fileOf('too-big', 'small.txt')).body).toMatchObject({ content: 'kept' })
    expect((await fileOf('too-big', 'big.txt')).status).toBe(404)
    expect(after.find((f) => f.type === 'notice')?.data).toMatchObject({ kind: 'memory_restored', turns: 2 })
    expect(after.find((f) => f.type === 'result')?.content).toMatch(/write small\.txt kept/)
    client.close()
  })

  it('trusts the files but not the transcripts of a copy whose next save was cut off', async () => {
    const client = await connect('cut-off')
    await turn(client, 'write name.txt Ada')
    // What a save that never finished leaves (it marks the copy first, and clears the mark once stored).
    await env.WORKSPACES.put('sessions/cut-off/transcripts-stale', '')
    await sleep('cut-off')

    const after = await turn(client, 'who wrote name.txt?')
    expect((await fileOf('cut-off', 'name.txt')).body).toMatchObject({ content: 'Ada' })
    expect(after.find((f) => f.type === 'notice')?.data).toMatchObject({ kind: 'memory_restored', turns: 1 })
    // The turn's own copy is whole again: the mark is gone.
    expect(await env.WORKSPACES.head('sessions/cut-off/transcripts-stale')).toBeNull()
    client.close()
  })

  it('goes on from the event log when the saved copy is damaged, and says the files could not be restored', async () => {
    const client = await connect('damaged')
    await turn(client, 'write name.txt Ada')
    await sleep('damaged')
    await env.WORKSPACES.put(WorkspaceArchives.key('damaged'), new TextEncoder().encode('not a tar.gz'))

    const after = await turn(client, 'what is in name.txt?')
    const notices = after.filter((f) => f.type === 'notice')
    expect(notices.map((n) => n.data?.kind)).toEqual(['workspace_not_restored', 'memory_restored'])
    expect(notices[0]?.content).toMatch(/could not be restored \(.*damaged/)
    expect(after.find((f) => f.type === 'result')?.content).toMatch(/write name\.txt Ada/)
    // The turn's own copy replaces the damaged one.
    await sleep('damaged')
    const again = await turn(client, 'and now?')
    expect(again.filter((f) => f.type === 'notice')).toEqual([])
    client.close()
  })

  it('sets a stored copy over the limit aside instead of restoring it', async () => {
    const client = await connect('stored-big')
    await turn(client, 'hello')
    await sleep('stored-big')
    await env.WORKSPACES.put(WorkspaceArchives.key('stored-big'), new Uint8Array(2 * 1024 * 1024))

    const after = await turn(client, 'hello again')
    const notice = after.find((f) => f.data?.kind === 'workspace_not_restored')
    expect(notice?.content).toMatch(/\(2 MiB\) was not restored: it is over WORKSPACE_ARCHIVE_LIMIT/)
    const aside = await env.WORKSPACES.head('sessions/stored-big/workspace-over-limit.tar.gz')
    expect(aside?.size).toBe(2 * 1024 * 1024)
    client.close()
  })

  it('forgets the saved copy when the session is deleted', async () => {
    const client = await connect('deleted')
    await turn(client, 'write a.txt x')
    client.close()
    expect(await env.WORKSPACES.head(WorkspaceArchives.key('deleted'))).not.toBeNull()
    expect((await SELF.fetch('http://agent.test/agent/sessions/deleted', { method: 'DELETE' })).status).toBe(
      204,
    )
    expect(await env.WORKSPACES.head(WorkspaceArchives.key('deleted'))).toBeNull()
  })
})
