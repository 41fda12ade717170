/**
 * How a turn ended, from what its stream showed: the outcome the REST API answers with and the `turn` summary
 * the closing `status` event carries. Pure.
 */
import type { SdkResult } from '../protocol/sdk-lines.js'

export interface TurnOutcome {
  /** The assistant's final text (the SDK's `result`), or the error message when the turn failed. */
  result: string
  isError: boolean
  interrupted: boolean
}

/** What the router recorded for the turn's model calls (see `AgentDeps.turnUsage`). */
export interface TurnUsage {
  requests: number
  inputTokens: number
  outputTokens: number
  costUsd: number | null
  /** Input tokens of the turn's last model call: the context the model last read. */
  lastInputTokens?: number
}

export function turnOutcome(
  final: SdkResult | undefined,
  failure: string | undefined,
  interrupted: boolean,
): TurnOutcome {
  if (interrupted) return { result: 'Interrupted.', isError: false, interrupted: true }
  if (failure !== undefined) return { result: failure, isError: true, interrupted: false }
  if (final === undefined) {
    return {
      result: 'The agent stopped before finishing the turn. Send the message again to retry.',
      isError: true,
      interrupted: false,
    }
  }
  if (final.is_error === true || final.subtype !== 'success') {
    const detail = final.errors?.join('; ') || final.result || final.subtype
    return { result: `The turn ended with an error: ${detail}`, isError: true, interrupted: false }
  }
  return { result: final.result ?? '', isError: false, interrupted: false }
}

/** The largest context window Claude Code reports for the turn's models (what it compacts against). */
function contextWindow(final: SdkResult | undefined): number | undefined {
  const windows = Object.values(final?.modelUsage ?? {}).flatMap((m) =>
    typeof m.contextWindow === 'number' && m.contextWindow > 0 ? [m.contextWindow] : [],
  )
  return windows.length > 0 ? Math.max(...windows) : undefined
}

/**
 * The `turn` of the closing status: `durationMs` as the person waited, and the router's usage when it has it
 * (Claude Code's own figures price every model as Claude, so they are the fallback only). `contextTokens` of
 * `contextWindow`: how full the conversation's context was at the turn's last model call.
 */
export function turnSummary(
  final: SdkResult | undefined,
  usage: TurnUsage | undefined,
  durationMs: number,
): Record<string, unknown> {
  return {
    durationMs,
    ...(final?.num_turns !== undefined && { numTurns: final.num_turns }),
    ...(usage !== undefined
      ? {
          modelCalls: usage.requests,
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          ...(usage.costUsd !== null && { costUsd: usage.costUsd }),
        }
      : { inputTokens: final?.usage?.input_tokens, outputTokens: final?.usage?.output_tokens }),
    ...(usage?.lastInputTokens !== undefined &&
      usage.lastInputTokens > 0 && { contextTokens: usage.lastInputTokens }),
    ...(contextWindow(final) !== undefined && { contextWindow: contextWindow(final) }),
  }
}
