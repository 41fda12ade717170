import { describe, expect, it } from 'vitest'
import { ClaudeCodeOptions } from '../protocol/claude-code-options.js'
import { MAX_MESSAGE_CHARS, type NewEvent, type SessionEvent } from '../protocol/events.js'
import { EARLIER_TURNS_BYTES, RECENT_TURNS_BYTES, restoredPrompt } from './restored-history.js'

function log(events: NewEvent[]): SessionEvent[] {
  return events.map((event, i) => ({ ...event, seq: i + 1, timestamp: 1000 + i, sessionId: 's' }))
}

/** One turn as the actor logs it: the message, the agent's work, the closing status. */
function turn(asked: string, ...rest: NewEvent[]): NewEvent[] {
  return [
    { type: 'user_message', content: asked, data: { model: 'groq/x' } },
    { type: 'status', data: { isRunning: true, model: 'groq/x', container: 'running' } },
    ...rest,
    { type: 'status', data: { isRunning: false, model: 'groq/x', container: 'running' } },
  ]
}

const bytes = (text: string) => new TextEncoder().encode(text).length
const section = (prompt: string, title: string) =>
  prompt.split(`${title}\n`)[1]?.split(/\n\nMost recent|\n<\/restored-history>/)[0] ?? ''

describe('restoredPrompt', () => {
  it('is the message alone when there is no earlier turn', () => {
    expect(restoredPrompt([], 'hello')).toEqual({ prompt: 'hello', turns: 0 })
  })

  it('carries short turns over in full, framed as the past, with the new message after it', () => {
    const history = log([
      ...turn(
        'Create hello.txt',
        { type: 'result', content: 'Creating the file.' },
        { type: 'tool_use', content: 'Write hello.txt', data: { id: 't1', name: 'Write', input: {} } },
        { type: 'tool_result', data: { toolUseId: 't1', isError: false, content: 'File created' } },
        {
          type: 'file_change',
          content: 'Created: hello.txt',
          data: { path: 'hello.txt', action: 'created' },
        },
        { type: 'result', content: 'I created hello.txt.' },
      ),
      ...turn('Run it', { type: 'error', content: 'The turn ended with an error: boom' }),
    ])
    const { prompt, turns } = restoredPrompt(history, 'What did you create?')
    expect(turns).toBe(2)
    expect(prompt).toBe(
      [
        '<restored-history>',
        "The record of this conversation was lost, so here it is as far as it went, rebuilt from the session's " +
          'history: the earlier turns one line each, the most recent ones in full. All of it already happened: ' +
          "take it as context, and do not do its work again. The person's new message follows it.",
        '',
        'Most recent turns, in full:',
        '[Turn 1]',
        'User: Create hello.txt',
        'Assistant: Creating the file.',
        'Tool: Write hello.txt',
        'File: Created: hello.txt',
        'Assistant: I created hello.txt.',
        '',
        '[Turn 2]',
        'User: Run it',
        'Error: The turn ended with an error: boom',
        '</restored-history>',
        '',
        'What did you create?',
      ].join('\n'),
    )
  })

  it('summarises older turns one line each once the recent ones fill their budget', () => {
    const long = 'x'.repeat(5000)
    const history = log(
      Array.from({ length: 12 }, (_, i) =>
        turn(
          `Step ${i + 1}: please   do\nthe thing number ${i + 1} ${'and more '.repeat(20)}`,
          { type: 'result', content: `Answer ${i + 1} ${long}` },
          {
            type: 'file_change',
            content: `Modified: f${i}.ts`,
            data: { path: `f${i}.ts`, action: 'modified' },
          },
          {
            type: 'file_change',
            content: `Created: g${i}.ts`,
            data: { path: `g${i}.ts`, action: 'created' },
          },
        ),
      ).flat(),
    )
    const { prompt, turns } = restoredPrompt(history, 'next')
    expect(turns).toBe(12)
    const recent = section(prompt, 'Most recent turns, in full:')
    expect(bytes(recent)).toBeLessThanOrEqual(RECENT_TURNS_BYTES)
    expect(recent).toContain('[Turn 12]')
    expect(recent).toContain(`Answer 12 ${long}`)
    expect(recent).not.toContain('[Turn 8]')
    const earlier = section(prompt, 'Earlier turns, one line each:').split('\n')
    expect(earlier[0]).toBe(
      `Turn 1: asked "${`Step 1: please do the thing number 1 ${'and more '.repeat(20)}`.slice(0, 99)}…"; ` +
        'modified f0.ts, created g0.ts',
    )
    expect(earlier.map((line) => line.split(':')[0])).toEqual(
      Array.from({ length: 12 - recent.split('[Turn ').length + 1 }, (_, i) => `Turn ${i + 1}`),
    )
    // The same history gives the same prompt.
    expect(restoredPrompt(history, 'next').prompt).toBe(prompt)
  })

  it('leaves the oldest turns out when even their summaries are over budget, and says how many', () => {
    const history = log(
      Array.from({ length: 400 }, (_, i) =>
        turn(`Question ${i + 1} ${'q'.repeat(150)}`, { type: 'result', content: 'a'.repeat(400) }),
      ).flat(),
    )
    const { prompt, turns } = restoredPrompt(history, 'next')
    const earlier = section(prompt, 'Earlier turns, one line each:')
    expect(bytes(earlier)).toBeLessThanOrEqual(EARLIER_TURNS_BYTES + 100)
    const leftOut = Number(/\((\d+) earlier turns are left out\)/.exec(earlier)?.[1])
    expect(leftOut).toBeGreaterThan(0)
    expect(turns + leftOut).toBe(400)
    expect(earlier).not.toContain('Turn 1: ')
    expect(prompt).toContain('[Turn 400]')
  })

  it('keeps the beginning of a last turn that alone is over the budget, cut on a character boundary', () => {
    const history = log(turn('Write a long poem', { type: 'result', content: 'é'.repeat(30_000) }))
    const { prompt, turns } = restoredPrompt(history, 'thanks')
    expect(turns).toBe(1)
    const recent = section(prompt, 'Most recent turns, in full:')
    expect(bytes(recent)).toBeLessThanOrEqual(RECENT_TURNS_BYTES)
    expect(recent).toMatch(
      /^\[Turn 1\]\nUser: Write a long poem\nAssistant: é+\n… \(the rest of this turn is left out\)$/,
    )
  })

  it('fits the prompt limit of the container with the largest message a person may send', () => {
    const history = log(
      Array.from({ length: 200 }, (_, i) =>
        turn(`Ask ${i} ${'ü'.repeat(300)}`, { type: 'result', content: '€'.repeat(3000) }),
      ).flat(),
    )
    const message = 'm'.repeat(MAX_MESSAGE_CHARS)
    const { prompt } = restoredPrompt(history, message)
    expect(ClaudeCodeOptions.safeParse({ prompt }).success).toBe(true)
  })
})
