/**
 * What the "working" line says while a turn runs: since when it runs and what it is doing now (the tool call
 * running, a prompt waiting for the person, the answer being written). Pure, so it is tested without a browser.
 */
import type { Item, ToolCall } from './conversation'
import type { WireEvent } from './session-socket'

/** When the running turn started: the last persisted running `status` after the last turn end. */
export function turnStartedAt(events: readonly WireEvent[]): number | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!
    if (e.type !== 'status' || e.seq === undefined) continue
    const running = (e.data as { isRunning?: unknown } | undefined)?.isRunning
    if (running === true) return e.timestamp
    if (running === false) return undefined
  }
  return undefined
}

/** The innermost running call (a subagent's step inside its Task). */
function runningCall(calls: readonly ToolCall[]): ToolCall | undefined {
  for (let i = calls.length - 1; i >= 0; i--) {
    const call = calls[i]!
    if (call.state !== 'running') continue
    return runningCall(call.children) ?? call
  }
  return undefined
}

/** The running turn's current step, in a few words. */
export function currentStep(items: readonly Item[], streaming: boolean): string {
  if (items.some((i) => i.kind === 'permission' && i.answer === undefined)) return 'Waiting for your approval'
  const call = runningCall(items.flatMap((i) => (i.kind === 'tool' ? [i.call] : [])))
  if (call !== undefined) {
    const summary = call.summary.startsWith(call.name)
      ? call.summary.slice(call.name.length)
      : ` ${call.summary}`
    return `Running ${call.name}${summary.replace(/^:/, '')}`.trim()
  }
  return streaming ? 'Writing the answer' : 'Thinking'
}

/** Elapsed time as a clock reads it: 0:07, 1:05, 1:02:03. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  const two = (n: number) => String(n).padStart(2, '0')
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`
}
