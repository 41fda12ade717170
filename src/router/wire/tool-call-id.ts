/**
 * Tool-call ids between the two formats. Anthropic ids must match `^[a-zA-Z0-9_-]+$`; providers use others
 * (`functions.Bash:0`). An id that does not fit is carried as `toolu_b64_<base64url of the original>`, so it
 * round-trips without any state: the provider gets its own id back on the next turn.
 */

const VALID = /^[a-zA-Z0-9_-]+$/
const ENCODED = 'toolu_b64_'

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text)
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64Url(text: string): string | undefined {
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0))
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch {
    return undefined
  }
}

/** A provider's tool-call id as a valid Anthropic `tool_use` id. */
export function toAnthropicToolId(providerId: string): string {
  if (VALID.test(providerId) && !providerId.startsWith(ENCODED)) return providerId
  return `${ENCODED}${toBase64Url(providerId)}`
}

/** The id to send back to the provider for an Anthropic `tool_use` / `tool_result` id. */
export function toProviderToolId(anthropicId: string): string {
  if (anthropicId.startsWith(ENCODED)) {
    const decoded = fromBase64Url(anthropicId.slice(ENCODED.length))
    if (decoded !== undefined && decoded !== '') return decoded
  }
  if (VALID.test(anthropicId)) return anthropicId
  return anthropicId.replace(/[^a-zA-Z0-9_-]/g, '_')
}
