import { describe, expect, it } from 'vitest'
import { clock, currentStep, turnStartedAt } from './activity'
import { buildConversation } from './conversation'
import type { WireEvent } from './session-socket'

let seq = 0
const ev = (type: WireEvent['type'], data?: unknown, content?: string, timestamp = 1): WireEvent => ({
  type,
  content,
  data,
  seq: ++seq,
  timestamp,
  sessionId: 's',
})

describe('activity', () => {
  it('starts the clock at the running status of the current turn, and stops it at its end', () => {
    const events = [
      ev('user_message', {}, 'a', 100),
      ev('status', { isRunning: true }, undefined, 110),
      ev('status', { isRunning: false }, undefined, 200),
    ]
    expect(turnStartedAt(events)).toBeUndefined()
    events.push(ev('user_message', {}, 'b', 300), ev('status', { isRunning: true }, undefined, 310))
    expect(turnStartedAt(events)).toBe(310)
  })

  it('names the innermost running tool call, a waiting prompt first, and else what the model is doing', () => {
    const items = buildConversation([
      ev('user_message', {}, 'go'),
      ev('status', { isRunning: true }),
      ev('tool_use', { id: 't', name: 'Task', input: {} }, 'Task: look around'),
      ev('tool_use', { id: 'b', name: 'Bash', input: {}, parentId: 't' }, 'Bash: npm test'),
    ])
    expect(currentStep(items, false)).toBe('Running Bash npm test')
    const waiting = buildConversation([
      ev('user_message', {}, 'go'),
      ev('status', { isRunning: true }),
      ev('permission_request', { requestId: 'r', tool: 'Bash', input: {} }),
    ])
    expect(currentStep(waiting, false)).toBe('Waiting for your approval')
    expect(currentStep([], true)).toBe('Writing the answer')
    expect(currentStep([], false)).toBe('Thinking')
  })

  it('reads elapsed time like a clock', () => {
    expect([clock(7_400), clock(65_000), clock(3_723_000)]).toEqual(['0:07', '1:05', '1:02:03'])
  })
})
