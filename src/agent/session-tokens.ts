/**
 * Per-session router tokens: what a sandbox holds instead of a provider key. The agent issues one when it
 * starts a session's container and revokes it with the session; the router asks `verify` on every request.
 * A sandbox started before its session is known (a warm pool member) holds an unbound token, which names no
 * session until the session that takes the sandbox is bound to it.
 */

function randomToken(): string {
  const bytes = new Uint8Array(32)
  crypto.getRandomValues(bytes)
  let hex = ''
  for (const b of bytes) hex += b.toString(16).padStart(2, '0')
  return `art_${hex}`
}

export class SessionTokens {
  private readonly bySession = new Map<string, string>()
  private readonly byToken = new Map<string, string>()
  private readonly unbound = new Set<string>()

  /** The session's token, issued on first use. */
  issue(sessionId: string): string {
    const existing = this.bySession.get(sessionId)
    if (existing !== undefined) return existing
    const token = randomToken()
    this.bySession.set(sessionId, token)
    this.byToken.set(token, sessionId)
    return token
  }

  /** A token for a sandbox whose session is not known yet: it verifies as no session until `bind`. */
  issueUnbound(): string {
    const token = randomToken()
    this.unbound.add(token)
    return token
  }

  /** Makes the unbound `token` the session's (its earlier token, if any, is revoked). */
  bind(token: string, sessionId: string): void {
    if (!this.unbound.delete(token)) throw new Error('only an unbound token can be bound to a session')
    this.revoke(sessionId)
    this.bySession.set(sessionId, token)
    this.byToken.set(token, sessionId)
  }

  /** Forgets an unbound token (its sandbox stopped before any session took it). */
  forget(token: string): void {
    this.unbound.delete(token)
  }

  /** The session a token belongs to, or undefined for an unknown or revoked token. */
  verify(token: string | undefined): string | undefined {
    return token === undefined ? undefined : this.byToken.get(token)
  }

  revoke(sessionId: string): void {
    const token = this.bySession.get(sessionId)
    if (token === undefined) return
    this.bySession.delete(sessionId)
    this.byToken.delete(token)
  }
}
