/**
 * The SandboxManager's record of one session's running container, and the facts read from it: whether it is
 * idle (no run in flight, not just handed out) and which idle one was used least recently.
 */
import type { SandboxHandle } from './types.js'

export interface Entry {
  handle: SandboxHandle
  alive: boolean
  stopping: boolean
  lastUsedAt: number
  /** Runs in flight. */
  active: number
  /** Until then it counts as busy: it was just handed out, and its run is about to start. */
  reservedUntil: number
  timer: NodeJS.Timeout | undefined
}

export function newEntry(handle: SandboxHandle): Entry {
  return {
    handle,
    alive: true,
    stopping: false,
    lastUsedAt: Date.now(),
    active: 0,
    reservedUntil: 0,
    timer: undefined,
  }
}

export function isIdle(entry: Entry): boolean {
  return entry.active === 0 && Date.now() >= entry.reservedUntil
}

/** The idle, running entry used least recently, with its session id. */
export function leastRecentlyUsedIdle(entries: Map<string, Entry>): [string, Entry] | undefined {
  let best: [string, Entry] | undefined
  for (const [id, entry] of entries) {
    if (!entry.alive || entry.stopping || !isIdle(entry)) continue
    if (best === undefined || entry.lastUsedAt < best[1].lastUsedAt) best = [id, entry]
  }
  return best
}
