import { describe, expect, it } from 'vitest'
import { toAnthropicToolId, toProviderToolId } from './tool-call-id.js'

describe('tool-call ids', () => {
  it('keeps valid ids and round-trips invalid ones through a valid Anthropic id', () => {
    expect(toAnthropicToolId('call_abc-1')).toBe('call_abc-1')
    for (const id of ['functions.Bash:0', 'a b/c', 'ü', 'toolu_b64_x']) {
      const encoded = toAnthropicToolId(id)
      expect(encoded).toMatch(/^[a-zA-Z0-9_-]+$/)
      expect(toProviderToolId(encoded)).toBe(id)
    }
    expect(toAnthropicToolId('a.b')).not.toBe(toAnthropicToolId('a:b'))
  })
})
