import { describe, expect, it } from 'vitest'
import { defaultRouterConfig, parseRouterConfig } from './parse-config.js'
import { type Deployment, RouteTable, targetOf } from './route-table.js'

const table = new RouteTable(
  parseRouterConfig(`
model_list:
  - model_name: "*"
    litellm_params: {model: "openrouter/*"}
  - model_name: groq/*
    litellm_params: {model: "groq/*"}
  - model_name: groq/openai/*
    litellm_params: {model: "groq/openai/*", api_base: "https://mirror.example/v1"}
  - model_name: groq/openai/gpt-oss-120b
    litellm_params: {model: openrouter/openai/gpt-oss-120b}
  - model_name: groq/openai/gpt-oss-120b
    litellm_params: {model: groq/openai/gpt-oss-120b}
  - model_name: claude-*-latest
    litellm_params: {model: "anthropic/claude-*-latest"}
router_settings:
  model_group_alias: {fast: groq/openai/gpt-oss-120b}
`),
)

function target(model: string) {
  const match = table.resolve(model)
  if (!match) return undefined
  const t = targetOf(match, match.route.deployments[0]!)
  return `${match.route.pattern} -> ${t.provider}/${t.upstreamModel}`
}

describe('RouteTable', () => {
  it('prefers an exact name and keeps every deployment listed under it', () => {
    expect(target('groq/openai/gpt-oss-120b')).toBe(
      'groq/openai/gpt-oss-120b -> openrouter/openai/gpt-oss-120b',
    )
    expect(table.resolve('groq/openai/gpt-oss-120b')?.route.deployments.map((d) => d.id)).toEqual([
      'model_list[3]',
      'model_list[4]',
    ])
  })

  it('picks the wildcard with the longest literal prefix and substitutes the matched part', () => {
    expect(target('groq/openai/gpt-oss-20b')).toBe('groq/openai/* -> groq/openai/gpt-oss-20b')
    expect(target('groq/llama-3.3-70b-versatile')).toBe('groq/* -> groq/llama-3.3-70b-versatile')
    expect(target('z-ai/glm-4.5')).toBe('* -> openrouter/z-ai/glm-4.5')
    expect(target('claude-opus-latest')).toBe('claude-*-latest -> anthropic/claude-opus-latest')
  })

  it('resolves model_group_alias but echoes the requested name', () => {
    expect(table.resolve('fast')?.requestedModel).toBe('fast')
    expect(table.resolve('fast')?.route.pattern).toBe('groq/openai/gpt-oss-120b')
  })

  it('finds nothing when no pattern matches', () => {
    const narrow = new RouteTable(
      parseRouterConfig('model_list: [{model_name: "groq/*", litellm_params: {model: "groq/*"}}]'),
    )
    expect(narrow.resolve('openai/gpt-4o')).toBeUndefined()
    expect(narrow.patterns()).toEqual(['groq/*'])
  })
})

describe('RouteTable aliases', () => {
  it("routes Claude Code's background claude-* requests through a wildcard alias so they never 404", () => {
    const aliased = new RouteTable(
      parseRouterConfig(`
model_list: [{model_name: "groq/*", litellm_params: {model: "groq/*"}}]
router_settings: {model_group_alias: {"claude-*": "groq/openai/gpt-oss-20b"}}
`),
    )
    const match = aliased.resolve('claude-haiku-4-5-20251001')
    expect(match?.requestedModel).toBe('claude-haiku-4-5-20251001')
    expect(match && targetOf(match, match.route.deployments[0] as Deployment).upstreamModel).toBe(
      'openai/gpt-oss-20b',
    )
    const byDefault = new RouteTable(defaultRouterConfig())
    const claude = byDefault.resolve('claude-sonnet-4-5')
    expect(claude && targetOf(claude, claude.route.deployments[0] as Deployment)).toMatchObject({
      provider: 'anthropic',
      upstreamModel: 'claude-sonnet-4-5',
    })
  })
})
