import { describe, expect, it } from 'vitest'
import { createLogger } from './logger.js'
import { announceStart, type StartSummary } from './startup-summary.js'

const summary: StartSummary = {
  url: 'http://127.0.0.1:8787',
  dataDir: './data',
  sandbox: { name: 'none', isolated: false },
  defaultModel: 'anthropic/claude-sonnet-4-5',
  info: {
    defaultModel: 'anthropic/claude-sonnet-4-5',
    sandbox: { driver: 'none', isolated: false },
    providers: [
      { name: 'anthropic', configured: true },
      { name: 'groq', configured: false },
      { name: 'ollama', configured: false },
    ],
    warnings: ['Agents run without a sandbox (SANDBOX=none)'],
  },
}

describe('the start summary', () => {
  it('tells a person at a terminal the URL, the providers found and what is not set, in plain lines', () => {
    let text = ''
    const logged: string[] = []
    const logger = createLogger({
      level: 'info',
      secrets: () => [],
      destination: { write: (l: string) => logged.push(l) },
    })
    announceStart(summary, logger, { write: (t: string) => (text += t) })
    expect(text).toContain('agent-router is running at http://127.0.0.1:8787')
    expect(text).toMatch(/providers: +anthropic\n/)
    expect(text).toMatch(/not set: +groq \(GROQ_API_KEY\), ollama \(OLLAMA_API_BASE\)/)
    expect(text).toMatch(/sandbox: +none \(NOT isolated\)/)
    expect(text).not.toContain('{')
    expect(logged).toEqual([])
  })

  it('logs one JSON line with the same facts when the output is not a terminal', () => {
    const logged: string[] = []
    const logger = createLogger({
      level: 'info',
      secrets: () => [],
      destination: { write: (l: string) => logged.push(l) },
    })
    announceStart(summary, logger, undefined)
    expect(logged).toHaveLength(1)
    expect(JSON.parse(logged[0]!)).toMatchObject({
      msg: 'agent-router listening',
      url: 'http://127.0.0.1:8787',
      providers: ['anthropic'],
      missing: ['groq (GROQ_API_KEY)', 'ollama (OLLAMA_API_BASE)'],
    })
  })
})
