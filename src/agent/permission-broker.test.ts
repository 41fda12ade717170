import { describe, expect, it } from 'vitest'
import { PermissionBroker, type PermissionDecision, type PermissionOutcome } from './permission-broker.js'

function setup(timeoutMs = 60_000) {
  const decided: PermissionOutcome[] = []
  const sent: [string, PermissionDecision][] = []
  const broker = new PermissionBroker(timeoutMs, (o) => decided.push(o))
  const respond = async (id: string, d: PermissionDecision) => {
    sent.push([id, d])
  }
  return { broker, decided, sent, respond }
}

describe('PermissionBroker', () => {
  it('passes an answer to the container once and reports it', async () => {
    const { broker, decided, sent, respond } = setup()
    broker.open('r1', 'Bash', { command: 'ls' }, respond)
    await broker.answer('r1', { allow: true })
    expect(sent).toEqual([['r1', { allow: true }]])
    expect(decided).toEqual([{ requestId: 'r1', allow: true, timedOut: false }])
    await expect(broker.answer('r1', { allow: false })).rejects.toMatchObject({ status: 404 })
    expect(sent).toHaveLength(1)
  })

  it('denies with a message when the user says no', async () => {
    const { broker, sent, respond } = setup()
    broker.open('r2', 'Write', {}, respond)
    await broker.answer('r2', { allow: false })
    expect(sent[0]?.[1]).toEqual({ allow: false, message: 'The user denied this tool call.' })
  })

  it('denies a request nobody answers within the timeout, saying why', async () => {
    const { broker, decided, sent, respond } = setup(30)
    broker.open('r3', 'Bash', {}, respond)
    await new Promise((r) => setTimeout(r, 80))
    expect(sent[0]?.[1]).toEqual({
      allow: false,
      message: 'Nobody answered the permission request for Bash within 30 ms, so it was denied.',
    })
    expect(decided[0]).toMatchObject({ requestId: 'r3', allow: false, timedOut: true })
    expect(broker.size).toBe(0)
  })

  it('sends the reason of a denial to the agent and reports it', async () => {
    const { broker, decided, sent, respond } = setup()
    broker.open('r4', 'Bash', { command: 'rm -rf build' }, respond)
    await broker.answer('r4', { allow: false, message: 'use the clean script instead' })
    expect(sent[0]?.[1]).toEqual({
      allow: false,
      message: 'The user denied this tool call: use the clean script instead',
    })
    expect(decided[0]).toMatchObject({ allow: false, reason: 'use the clean script instead' })
  })

  it('reports the rule an "always allow" names, and refuses one that cannot be made', async () => {
    const { broker, decided, sent, respond } = setup()
    broker.open('r5', 'Bash', { command: 'npm test -- --watch' }, respond)
    await broker.answer('r5', { allow: true, remember: 'prefix' })
    expect(decided[0]?.rule).toEqual({ kind: 'prefix', tool: 'Bash', prefix: 'npm test' })
    broker.open('r6', 'Bash', { command: 'npm test && rm -rf ~' }, respond)
    await expect(broker.answer('r6', { allow: true, remember: 'prefix' })).rejects.toMatchObject({
      status: 400,
    })
    expect(broker.size).toBe(1)
    broker.open('r7', 'WebFetch', { url: 'https://example.com' }, respond)
    await broker.answer('r7', { allow: true, remember: 'tool' })
    expect(decided[1]?.rule).toEqual({ kind: 'tool', tool: 'WebFetch' })
    expect(sent.map(([id]) => id)).toEqual(['r5', 'r7'])
  })

  it('refuses an answer to an unknown request', async () => {
    const { broker } = setup()
    await expect(broker.answer('nope', { allow: true })).rejects.toThrow(
      /no pending permission request 'nope'/,
    )
  })
})
