/**
 * What the router knows about each deployment between requests: requests in flight (least-busy), a moving
 * average of time to first byte (latency-based-routing), and recent failures. A deployment that fails more
 * than `allowed_fails` times within a minute is cooled down for `cooldown_time` (LiteLLM's semantics; a
 * route with a single deployment is never cooled down, so it cannot lock itself out); and requests and tokens
 * in the current minute, against each deployment's `rpm`/`tpm` (usage-based-routing).
 */

const FAIL_WINDOW_MS = 60_000
/** Weight of the newest sample in the latency average. */
const EWMA = 0.3

export interface DeploymentStats {
  inFlight: number
  /** Requests started and tokens used in the minute that began at `minuteStart` (usage-based-routing). */
  minuteStart: number
  minuteRequests: number
  minuteTokens: number
  /** Average time to first byte; undefined until a request succeeded. */
  latencyMs: number | undefined
  failures: number[]
  coolUntil: number
}

export class DeploymentHealth {
  private readonly stats = new Map<string, DeploymentStats>()

  constructor(
    private readonly allowedFails: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  of(id: string): DeploymentStats {
    let s = this.stats.get(id)
    if (!s) {
      s = {
        inFlight: 0,
        minuteStart: 0,
        minuteRequests: 0,
        minuteTokens: 0,
        latencyMs: undefined,
        failures: [],
        coolUntil: 0,
      }
      this.stats.set(id, s)
    }
    return s
  }

  isCooling(id: string): boolean {
    const s = this.stats.get(id)
    return s !== undefined && s.coolUntil > this.now()
  }

  /** Milliseconds until the first of `ids` leaves its cooldown. */
  soonestRelease(ids: readonly string[]): number {
    const now = this.now()
    return Math.max(0, Math.min(...ids.map((id) => this.of(id).coolUntil - now)))
  }

  started(id: string): void {
    const s = this.thisMinute(id)
    s.inFlight++
    s.minuteRequests++
  }

  /** Tokens an answer used, counted against the deployment's `tpm`. */
  usedTokens(id: string, tokens: number): void {
    this.thisMinute(id).minuteTokens += tokens
  }

  /** The stats with the per-minute counts restarted when the minute is over (LiteLLM's fixed window). */
  thisMinute(id: string): DeploymentStats {
    const s = this.of(id)
    const now = this.now()
    if (now - s.minuteStart >= 60_000) {
      s.minuteStart = now - (now % 60_000)
      s.minuteRequests = 0
      s.minuteTokens = 0
    }
    return s
  }

  ended(id: string): void {
    const s = this.of(id)
    s.inFlight = Math.max(0, s.inFlight - 1)
  }

  succeeded(id: string, firstByteMs: number): void {
    const s = this.of(id)
    s.latencyMs = s.latencyMs === undefined ? firstByteMs : s.latencyMs * (1 - EWMA) + firstByteMs * EWMA
    s.failures.length = 0
  }

  /** Records a failure; true when it put the deployment into cooldown (for `cooldownMs`, default the router's). */
  failed(id: string, canCool: boolean, cooldownMs = this.cooldownMs): boolean {
    const s = this.of(id)
    const now = this.now()
    s.failures = s.failures.filter((t) => now - t < FAIL_WINDOW_MS)
    s.failures.push(now)
    if (!canCool || s.failures.length <= this.allowedFails) return false
    s.coolUntil = now + cooldownMs
    s.failures.length = 0
    return true
  }
}
