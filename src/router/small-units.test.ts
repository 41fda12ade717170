import { describe, expect, it } from 'vitest'
import { messagesUrl } from './providers/anthropic/anthropic.js'
import { ollamaBase } from './providers/openai-compatible/ollama.js'
import { chatCompletionsUrl } from './providers/openai-compatible/openai-compatible.js'
import { rewriteModelField } from './providers/rewrite-model-field.js'
import { redact } from './providers/upstream-error.js'
import { type SseEvent, SseParser } from './wire/sse-parser.js'
import { toAnthropicToolId, toProviderToolId } from './wire/tool-call-id.js'

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

describe('rewriteModelField', () => {
  it('rewrites only the top-level model and keeps every other byte', () => {
    const body =
      '{"messages":[{"content":"say \\"model\\": x"}],"tools":[{"model":"keep"}], "model" : "a/b" ,"n":1.50}'
    expect(rewriteModelField(body, 'b')).toBe(
      '{"messages":[{"content":"say \\"model\\": x"}],"tools":[{"model":"keep"}], "model" : "b" ,"n":1.50}',
    )
    expect(rewriteModelField('{"x":{"model":"a"}}', 'b')).toBeUndefined()
  })
})

describe('SseParser', () => {
  it('reassembles events split anywhere, CRLF split between reads, multi-line data and comments', () => {
    const text = ': ping\r\nevent: a\r\ndata: one\r\ndata: two\r\n\r\ndata: {"x":"é"}\n\ndata: last'
    const bytes = new TextEncoder().encode(text)
    for (let size = 1; size <= bytes.length; size++) {
      const parser = new SseParser()
      const events = []
      for (let i = 0; i < bytes.length; i += size) events.push(...parser.push(bytes.slice(i, i + size)))
      events.push(...parser.end())
      expect(events).toEqual([
        { event: 'a', data: 'one\ntwo' },
        { event: undefined, data: '{"x":"é"}' },
        { event: undefined, data: 'last' },
      ])
    }
  })
})

describe('SseParser with LF line ends only (the common case)', () => {
  it('reads data lines with and without a space, empty data, multi-line data, split anywhere', () => {
    const text =
      'event: a\ndata: one\ndata: two\n\n: c\ndata: {"x":"é"}\n\ndata:tight\n\ndata: \n\ndata: last'
    const bytes = new TextEncoder().encode(text)
    for (let size = 1; size <= bytes.length; size++) {
      const parser = new SseParser()
      const events: SseEvent[] = []
      for (let i = 0; i < bytes.length; i += size) parser.push(bytes.slice(i, i + size), events)
      parser.end(events)
      expect(events).toEqual([
        { event: 'a', data: 'one\ntwo' },
        { event: undefined, data: '{"x":"é"}' },
        { event: undefined, data: 'tight' },
        { event: undefined, data: '' },
        { event: undefined, data: 'last' },
      ])
    }
  })
})

describe('provider URLs and redaction', () => {
  it('builds endpoint URLs from base URLs with or without the path', () => {
    expect(chatCompletionsUrl('https://h/v1/')).toBe('https://h/v1/chat/completions')
    expect(chatCompletionsUrl('https://h/v1/chat/completions')).toBe('https://h/v1/chat/completions')
    expect(messagesUrl('https://api.anthropic.com')).toBe('https://api.anthropic.com/v1/messages')
    expect(messagesUrl('https://proxy/v1')).toBe('https://proxy/v1/messages')
    expect(ollamaBase(undefined)).toBe('http://localhost:11434/v1')
    expect(ollamaBase('http://gpu:11434/')).toBe('http://gpu:11434/v1')
  })

  it('removes secrets from text', () => {
    expect(redact('bad key sk-12345 given', ['sk-12345', undefined])).toBe('bad key [redacted] given')
  })
})
