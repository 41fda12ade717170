/**
 * What a turn does beyond a plain answer on the Cloudflare host: permission prompts answered over REST or
 * WebSocket, interrupts, waiting for a container when max_instances are running, and recovery when the
 * agent object restarts mid-turn.
 */
import { abortAllDurableObjects, env, runDurableObjectAlarm, runInDurableObject, SELF } from 'cloudflare:test'
import { afterEach, describe, expect, it } from 'vitest'
import { connect, eventually, hostControl, json, post, releaseHeldRun } from './helpers.js'

afterEach(async () => {
  await hostControl('release')
  await hostControl('limit', {})
})

describe('turns on the Cloudflare host', () => {
  it('asks permission for a tool call and goes on when it is allowed over REST', async () => {
    const client = await connect('perm-allow')
    client.send({ type: 'user_message', content: 'ask allowed.txt yes' })
    const request = await client.next((f) => f.type === 'permission_request')
    const requestId = (request.data as { requestId: string }).requestId
    const listed = await eventually(async () => {
      const all = await json<{ waiting: { sessionId: string; requestId: string }[] }>('/agent/permissions')
      const found = all.body.waiting.find((w) => w.requestId === requestId)
      if (found === undefined) throw new Error('not listed yet')
      return found
    })
    expect(listed.sessionId).toBe('perm-allow')
    const answer = await json(`/agent/sessions/perm-allow/permissions/${requestId}`, post({ allow: true }))
    expect(answer.body).toEqual({ requestId, allow: true })
    await client.turnEnd()
    expect(client.frames.find((f) => f.type === 'permission_response')?.data).toMatchObject({
      requestId,
      allow: true,
    })
    expect(client.frames.find((f) => f.type === 'tool_result')?.data).toMatchObject({ isError: false })
    client.close()
  })

  it('tells the agent when a prompt is denied over the WebSocket, with the reason given', async () => {
    const client = await connect('perm-deny')
    client.send({ type: 'user_message', content: 'ask denied.txt no' })
    const request = await client.next((f) => f.type === 'permission_request')
    const requestId = (request.data as { requestId: string }).requestId
    client.send({ type: 'permission_response', requestId, allow: false, message: 'not that file' })
    await client.turnEnd()
    const result = client.frames.find((f) => f.type === 'tool_result')
    expect(result?.data).toMatchObject({ isError: true })
    const unknown = await json('/agent/sessions/perm-deny/permissions/perm_nope', post({ allow: true }))
    expect(unknown.status).toBe(404)
    client.close()
  })

  it('stops a running turn on interrupt and takes the next message', async () => {
    const client = await connect('interrupt')
    client.send({ type: 'user_message', content: 'hold' })
    await client.next((f) => f.type === 'status' && f.data?.isRunning === true)
    const stopped = await json('/agent/sessions/interrupt/interrupt', { method: 'POST' })
    expect(stopped.body).toEqual({ interrupted: true })
    const end = await client.turnEnd()
    expect(end.data).toMatchObject({ isRunning: false, interrupted: true })
    const from = client.frames.length
    client.send({ type: 'user_message', content: 'again' })
    await client.turnEnd(from)
    expect(client.frames.slice(from).find((f) => f.type === 'result')?.content).toBe('You said: again')
    client.close()
  })

  it('waits with waitingForSandbox while max_instances containers run, and runs once one stops', async () => {
    const { running } = await hostControl<{ running: Record<string, unknown> }>('state')
    await hostControl('limit', { max: Object.keys(running).length + 1 })
    await json('/agent/message', post({ sessionId: 'full-1', message: 'first' }))
    const waiting = await connect('full-2')
    waiting.send({ type: 'user_message', content: 'second' })
    const status = await waiting.next((f) => f.type === 'status' && f.data?.waitingForSandbox === true)
    expect(status.data).toMatchObject({
      isRunning: true,
      waitingForSandbox: true,
      position: 1,
      container: 'waiting',
    })
    // Deleting the first session stops its container; the waiting turn gets the instance.
    expect((await SELF.fetch('http://agent.test/agent/sessions/full-1', { method: 'DELETE' })).status).toBe(
      204,
    )
    await waiting.turnEnd()
    expect(waiting.frames.find((f) => f.type === 'result')?.content).toBe('You said: second')
    waiting.close()
  })

  it('closes a turn that was running when its agent object restarted, and the session goes on', async () => {
    const client = await connect('restart')
    client.send({ type: 'user_message', content: 'hold' })
    await client.next((f) => f.type === 'status' && f.data?.isRunning === true)
    await abortAllDurableObjects()
    const again = await connect('restart', 2)
    const error = await again.next((f) => f.type === 'error')
    expect(error.content).toMatch(/interrupted by a restart/)
    await again.turnEnd()
    const from = again.frames.length
    again.send({ type: 'user_message', content: 'after' })
    await again.turnEnd(from)
    expect(again.frames.slice(from).find((f) => f.type === 'result')?.content).toBe('You said: after')
  })

  it('keeps a running turn alive with a heartbeat alarm, which stops when the turn ends', async () => {
    const agent = env.AGENT.get(env.AGENT.idFromName('heartbeat'))
    const alarmAt = () => runInDurableObject(agent, (_instance, state) => state.storage.getAlarm())
    const client = await connect('heartbeat')
    client.send({ type: 'user_message', content: 'hold' })
    await client.next((f) => f.type === 'status' && f.data?.isRunning === true)
    expect(await alarmAt()).not.toBeNull()
    expect(await runDurableObjectAlarm(agent)).toBe(true)
    expect(await alarmAt()).not.toBeNull()
    await releaseHeldRun()
    await client.turnEnd()
    expect(await runDurableObjectAlarm(agent)).toBe(true)
    expect(await alarmAt()).toBeNull()
    client.close()
  })

  it('closes a turn cut off by an eviction when the heartbeat wakes the object, with no client connected', async () => {
    const agent = env.AGENT.get(env.AGENT.idFromName('evicted'))
    const client = await connect('evicted')
    client.send({ type: 'user_message', content: 'hold' })
    await client.next((f) => f.type === 'status' && f.data?.isRunning === true)
    await abortAllDurableObjects()
    expect(await runDurableObjectAlarm(agent)).toBe(true)
    const events = await json<{ events: { type: string; content?: string }[] }>(
      '/agent/sessions/evicted/events',
    )
    expect(events.body.events.at(-2)).toMatchObject({
      type: 'error',
      content: expect.stringMatching(/restart/),
    })
    expect((await json('/agent/sessions/evicted')).body).toMatchObject({ isRunning: false })
  })
})
