/** Token checks shared by REST and WebSocket: constant-time comparison of a presented token with AUTH_TOKEN. */
import { timingSafeEqual } from 'node:crypto'

export function tokensEqual(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false
  const a = Buffer.from(presented)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The token of `Authorization: Bearer X` (or `x-api-key: X`, as Anthropic clients send it). */
export function bearerToken(headers: { get(name: string): string | null | undefined }): string | undefined {
  const auth = headers.get('authorization')
  if (auth !== null && auth !== undefined) {
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim())
    if (match) return match[1]
  }
  return headers.get('x-api-key') ?? undefined
}
