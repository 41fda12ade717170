import { describe, expect, it } from 'vitest'
import { turnOutcome, turnSummary } from './turn-outcome.js'

describe('turnOutcome', () => {
  it('says what ended the turn: an interrupt, a failure, no result, an error result or the answer', () => {
    const ok = { type: 'result' as const, subtype: 'success', result: 'Done.' }
    expect(turnOutcome(ok, 'broke', true)).toEqual({
      result: 'Interrupted.',
      isError: false,
      interrupted: true,
    })
    expect(turnOutcome(ok, 'broke', false)).toEqual({ result: 'broke', isError: true, interrupted: false })
    expect(turnOutcome(undefined, undefined, false).result).toMatch(/stopped before finishing/)
    expect(
      turnOutcome({ type: 'result', subtype: 'error_max_turns', errors: ['too many'] }, undefined, false),
    ).toEqual({ result: 'The turn ended with an error: too many', isError: true, interrupted: false })
    expect(turnOutcome(ok, undefined, false)).toEqual({ result: 'Done.', isError: false, interrupted: false })
  })
})

describe('turnSummary', () => {
  it("prefers the router's usage to Claude Code's own figures", () => {
    const final = {
      type: 'result' as const,
      subtype: 'success',
      num_turns: 2,
      usage: { input_tokens: 9, output_tokens: 3 },
    }
    expect(
      turnSummary(final, { requests: 2, inputTokens: 100, outputTokens: 20, costUsd: null }, 1200),
    ).toEqual({
      durationMs: 1200,
      numTurns: 2,
      modelCalls: 2,
      inputTokens: 100,
      outputTokens: 20,
    })
    expect(turnSummary(final, undefined, 5)).toEqual({
      durationMs: 5,
      numTurns: 2,
      inputTokens: 9,
      outputTokens: 3,
    })
  })

  it("says how full the context was: the last call's input against Claude Code's context window", () => {
    const final = {
      type: 'result' as const,
      subtype: 'success',
      modelUsage: { 'groq/a': { contextWindow: 128_000 }, 'groq/b': { contextWindow: 200_000 } },
    }
    const usage = { requests: 3, inputTokens: 9000, outputTokens: 20, costUsd: null, lastInputTokens: 3500 }
    expect(turnSummary(final, usage, 1)).toMatchObject({ contextTokens: 3500, contextWindow: 200_000 })
    const none = turnSummary({ type: 'result', subtype: 'success' }, { ...usage, lastInputTokens: 0 }, 1)
    expect(none).not.toHaveProperty('contextTokens')
    expect(none).not.toHaveProperty('contextWindow')
  })
})
