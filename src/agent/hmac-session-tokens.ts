/**
 * Stateless per-session router tokens for hosts with no shared memory (a Worker and its Durable Objects):
 * `art_<sessionId>.<HMAC-SHA256(secret, sessionId) as base64url>`. Any isolate holding the secret issues and
 * verifies them with WebCrypto; the signature check is constant-time (`crypto.subtle.verify`).
 */
import { SESSION_ID_PATTERN } from '../protocol/events.js'

const PREFIX = 'art_'
const encoder = new TextEncoder()

function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined
  let binary: string
  try {
    binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  } catch {
    return undefined
  }
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

export class HmacSessionTokens {
  private key: Promise<CryptoKey> | undefined

  /** `secret`: at least 32 characters, the same in every isolate that issues or verifies (a Worker secret). */
  constructor(private readonly secret: string) {
    if (secret.length < 32) throw new Error('the session token secret must have at least 32 characters')
  }

  // Imported on first use: WebCrypto may not be called while a Worker's module is being loaded.
  private hmacKey(): Promise<CryptoKey> {
    this.key ??= crypto.subtle.importKey(
      'raw',
      encoder.encode(this.secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    )
    return this.key
  }

  async issue(sessionId: string): Promise<string> {
    if (!SESSION_ID_PATTERN.test(sessionId)) throw new Error(`invalid session id '${sessionId.slice(0, 80)}'`)
    const mac = await crypto.subtle.sign('HMAC', await this.hmacKey(), encoder.encode(sessionId))
    return `${PREFIX}${sessionId}.${toBase64Url(new Uint8Array(mac))}`
  }

  /** The session a token was issued for, or undefined for anything else. */
  async verify(token: string | undefined): Promise<string | undefined> {
    if (token === undefined || !token.startsWith(PREFIX)) return undefined
    const dot = token.lastIndexOf('.')
    const sessionId = token.slice(PREFIX.length, dot)
    const mac = fromBase64Url(token.slice(dot + 1))
    if (dot < 0 || mac === undefined || !SESSION_ID_PATTERN.test(sessionId)) return undefined
    const ok = await crypto.subtle.verify('HMAC', await this.hmacKey(), mac, encoder.encode(sessionId))
    return ok ? sessionId : undefined
  }
}
