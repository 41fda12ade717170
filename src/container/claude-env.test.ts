import { describe, expect, it } from 'vitest'
import { loadContainerConfig } from '../config/config.js'
import { buildClaudeEnv } from './claude-env.js'
import { buildQueryOptions, systemPromptFor } from './run-claude-code.js'

const config = loadContainerConfig({
  PATH: '/usr/bin',
  LANG: 'C.UTF-8',
  GROQ_API_KEY: 'gsk_host',
  ANTHROPIC_API_KEY: 'sk-ant-host',
  SOMETHING_ELSE: 'x',
  WORKSPACE_DIR: '/w',
  CLAUDE_CONFIG_DIR: '/c',
  ANTHROPIC_BASE_URL: 'http://router/llm',
  ANTHROPIC_AUTH_TOKEN: 'session-token',
  CLAUDE_CODE_EXECUTABLE: '/opt/claude',
})

describe('buildClaudeEnv', () => {
  it('passes only the allowlist, with the session model for background calls', () => {
    expect(buildClaudeEnv(config, 'groq/m')).toEqual({
      PATH: '/usr/bin',
      LANG: 'C.UTF-8',
      HOME: '/c',
      ANTHROPIC_BASE_URL: 'http://router/llm',
      ANTHROPIC_AUTH_TOKEN: 'session-token',
      CLAUDE_CONFIG_DIR: '/c',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_ERROR_REPORTING: '1',
      CLAUDE_CODE_MAX_RETRIES: '2',
      CLAUDE_CODE_ENABLE_TODO_TOOLS: '1',
      ANTHROPIC_MODEL: 'groq/m',
      ANTHROPIC_SMALL_FAST_MODEL: 'groq/m',
    })
  })

  it('offers the checklist tools whatever the model is called', () => {
    // Claude Code enables TaskCreate/TaskUpdate on its own only for model names it knows as Claude's.
    for (const model of ['groq/llama-3.3-70b', 'openrouter/qwen/qwen3-coder', 'claude-sonnet-4-5'])
      expect(buildClaudeEnv(config, model).CLAUDE_CODE_ENABLE_TODO_TOOLS).toBe('1')
  })

  it('keeps a HOME that is set', () => {
    const withHome = loadContainerConfig({ HOME: '/home/u', WORKSPACE_DIR: '/w' })
    expect(buildClaudeEnv(withHome, 'm').HOME).toBe('/home/u')
  })
})

describe('query options', () => {
  const plan = { cwd: '/w', model: 'groq/m', abortController: new AbortController() }

  it('uses the preset system prompt, appending when only an append is given', () => {
    expect(systemPromptFor({ prompt: 'p' })).toEqual({ type: 'preset', preset: 'claude_code' })
    expect(systemPromptFor({ prompt: 'p', appendSystemPrompt: 'more' })).toEqual({
      type: 'preset',
      preset: 'claude_code',
      append: 'more',
    })
    expect(systemPromptFor({ prompt: 'p', systemPrompt: 'own', appendSystemPrompt: 'more' })).toBe(
      'own\n\nmore',
    )
  })

  it('maps ClaudeCodeOptions onto the SDK options', () => {
    const options = buildQueryOptions(
      config,
      {
        prompt: 'p',
        resumeSessionId: 'abc',
        maxTurns: 3,
        allowedTools: ['Write'],
        permissionMode: 'bypassPermissions',
      },
      plan,
    )
    expect(options).toMatchObject({
      cwd: '/w',
      model: 'groq/m',
      resume: 'abc',
      maxTurns: 3,
      allowedTools: ['Write'],
      permissionMode: 'bypassPermissions',
      allowDangerouslySkipPermissions: true,
      pathToClaudeCodeExecutable: '/opt/claude',
    })
    expect(options.env?.GROQ_API_KEY).toBeUndefined()
    expect(options.env?.ANTHROPIC_API_KEY).toBeUndefined()
    expect(buildQueryOptions(config, { prompt: 'p' }, plan).permissionMode).toBe('acceptEdits')
    expect(buildQueryOptions(config, { prompt: 'p', continueSession: true }, plan).continue).toBe(true)
  })
})
