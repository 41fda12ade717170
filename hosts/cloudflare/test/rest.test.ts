/** The REST API of the Cloudflare host: the same answers as the Node host's. */
import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { eventually, json, post } from './helpers.js'

interface SessionList {
  sessions: { id: string; title: string; isRunning: boolean }[]
}

describe('REST API on the Cloudflare host', () => {
  it('runs a turn and answers when it ends, then shows the session, its events and its files', async () => {
    const turn = await json(
      '/agent/message',
      post({ sessionId: 'rest-1', message: 'write notes/a.txt hello file' }),
    )
    expect(turn.status).toBe(200)
    expect(turn.body).toMatchObject({
      status: 'Message processed',
      sessionId: 'rest-1',
      result: 'Wrote notes/a.txt.',
    })

    const state = await json('/agent/sessions/rest-1')
    expect(state.body).toMatchObject({
      id: 'rest-1',
      title: 'write notes/a.txt hello file',
      isRunning: false,
      claudeSession: { sessionFiles: ['notes/a.txt'] },
      containerState: { isActive: true, sandbox: 'cloudflare', isolated: true },
    })
    const events = await json<{ events: { seq: number; type: string }[] }>(
      '/agent/sessions/rest-1/events?after=5',
    )
    expect(events.body.events.map((e) => e.seq)).toEqual([6, 7])

    const files = await json<{ files: { path: string }[] }>('/agent/sessions/rest-1/files')
    expect(files.body.files.map((f) => f.path)).toEqual(['notes/a.txt'])
    const file = await json('/agent/sessions/rest-1/files/notes/a.txt')
    expect(file.body).toMatchObject({ path: 'notes/a.txt', content: 'hello file', binary: false })

    const listed = await eventually(async () => {
      const list = await json<SessionList>('/agent/sessions')
      const found = list.body.sessions.find((s) => s.id === 'rest-1')
      if (found?.isRunning !== false) throw new Error('not listed as idle yet')
      return found
    })
    expect(listed.title).toBe('write notes/a.txt hello file')
  })

  it('renames and deletes a session; a deleted session is gone from every route and from the list', async () => {
    await json('/agent/message', post({ sessionId: 'rest-2', message: 'hello' }))
    const renamed = await json('/agent/sessions/rest-2', { ...post({ title: 'Renamed' }), method: 'PATCH' })
    expect(renamed.body).toMatchObject({ id: 'rest-2', title: 'Renamed' })
    const deleted = await SELF.fetch('http://agent.test/agent/sessions/rest-2', { method: 'DELETE' })
    expect(deleted.status).toBe(204)
    expect((await json('/agent/sessions/rest-2')).status).toBe(404)
    await eventually(async () => {
      const list = await json<SessionList>('/agent/sessions')
      if (list.body.sessions.some((s) => s.id === 'rest-2')) throw new Error('still listed')
    })
  })

  it('refuses bad input with a clear JSON error, changing nothing', async () => {
    const cases: [string, RequestInit | undefined, number, RegExp][] = [
      ['/agent/message', post({ sessionId: 'rest-3' }), 400, /message/],
      ['/agent/message', { method: 'POST', body: 'not json' }, 400, /must be JSON/],
      ['/agent/message', post({ sessionId: 'bad id!', message: 'x' }), 400, /sessionId/],
      ['/agent/sessions/bad%20id', undefined, 400, /session id/],
      ['/agent/sessions/never-used', undefined, 404, /no session 'never-used'/],
      ['/agent/sessions/rest-3/events?after=-1', undefined, 400, /after/],
      ['/claude-code/debug', undefined, 400, /sessionId/],
      ['/nowhere', undefined, 404, /no route for GET \/nowhere/],
    ]
    for (const [path, init, status, message] of cases) {
      const res = await json<{ error: { type: string; message: string } }>(path, init)
      expect([path, res.status]).toEqual([path, status])
      expect(res.body.error.message).toMatch(message)
    }
    expect((await json('/agent/sessions/rest-3')).status).toBe(404)
  })

  it("answers health, info, models and the container's redacted debug report", async () => {
    expect((await json('/health')).body).toEqual({ status: 'ok', service: 'agent-router' })
    const info = await json('/agent/info')
    expect(info.body).toMatchObject({ sandbox: { driver: 'cloudflare', isolated: true } })
    expect((await json('/agent/models')).status).toBe(200)
    await json('/agent/message', post({ sessionId: 'rest-4', message: 'hello' }))
    const debug = await json('/claude-code/debug?sessionId=rest-4')
    expect(debug.body).toMatchObject({ scripted: true, sandbox: { driver: 'cloudflare', isolated: true } })
    const metrics = await SELF.fetch('http://agent.test/metrics')
    expect(await metrics.text()).toMatch(/agent_router_http_request_duration_seconds/)
  })
})
