/**
 * Who may call the router: the `authorize` hook when given; otherwise `general_settings.master_key` and the
 * per-session tokens of `sessionTokens`. The answer is a principal (its session, if any) or undefined (401).
 */

import type { RouterConfig } from './config/config-schema.js'
import type { Env } from './config/env.js'
import { resolveSecretRef } from './config/resolve-secret.js'
import type { RouterOptions, RouterPrincipal } from './router-options.js'
import type { HeaderReader } from './wire/incoming-call.js'

export type Authenticate = (headers: HeaderReader) => Promise<RouterPrincipal | undefined>

export function requestToken(headers: HeaderReader): string | undefined {
  const auth = headers.get('authorization')
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim())
    if (m?.[1]) return m[1].trim()
  }
  return headers.get('x-api-key')?.trim() || undefined
}

/** Constant-time string comparison, so the master key cannot be guessed by timing. */
export function sameToken(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a)
  const y = new TextEncoder().encode(b)
  let diff = x.length ^ y.length
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0)
  return diff === 0
}

const ANONYMOUS: RouterPrincipal = Object.freeze({})

export function authenticator(
  config: RouterConfig,
  secrets: Env,
  options: Pick<RouterOptions, 'authorize' | 'sessionTokens'>,
): Authenticate {
  const { authorize, sessionTokens } = options
  if (authorize) {
    return async (headers) => {
      const answer = await authorize(requestToken(headers))
      if (answer === true) return ANONYMOUS
      return typeof answer === 'object' && answer !== null ? answer : undefined
    }
  }
  const masterRef = config.general_settings.master_key
  return async (headers) => {
    const token = requestToken(headers)
    const sessionId = sessionTokens?.verify(token)
    if (sessionId !== undefined) return { sessionId }
    if (masterRef === undefined) return ANONYMOUS
    // Resolved per request, so a missing variable is a clear 500 rather than a failed start.
    const master = resolveSecretRef(masterRef, secrets, 'general_settings.master_key')
    return token !== undefined && sameToken(token, master) ? ANONYMOUS : undefined
  }
}
