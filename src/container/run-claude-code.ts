/**
 * One Claude Code run: turns ClaudeCodeOptions into the Agent SDK's `query()` options and yields every
 * SDK message. The run's workspace, model and environment come from the container config; the request only
 * chooses within them.
 */
import { type Options, query, type SDKMessage } from '@anthropic-ai/claude-agent-sdk'
import type { ContainerConfig } from '../config/config.js'
import type { ClaudeCodeOptions } from '../protocol/claude-code-options.js'
import { buildClaudeEnv } from './claude-env.js'

export interface RunPlan {
  /** The working directory of Claude Code. */
  cwd: string
  model: string
  abortController: AbortController
  /** Receives Claude Code's stderr (for diagnostics). */
  onStderr?: (text: string) => void
}

type SystemPromptOption = Options['systemPrompt']

/** A run's options; the prompt, when there, is not read here. */
type QueryOptionsSource = Omit<ClaudeCodeOptions, 'prompt'> & { prompt?: string }

/**
 * The SDK's system prompt: a full `systemPrompt` replaces Claude Code's (with `appendSystemPrompt` added
 * after it); `appendSystemPrompt` alone extends Claude Code's preset; neither keeps the preset, which
 * carries the tool-use guidance a coding agent needs.
 */
export function systemPromptFor(options: QueryOptionsSource): SystemPromptOption {
  const { systemPrompt, appendSystemPrompt } = options
  if (systemPrompt !== undefined) {
    return appendSystemPrompt === undefined ? systemPrompt : `${systemPrompt}\n\n${appendSystemPrompt}`
  }
  return appendSystemPrompt === undefined
    ? { type: 'preset', preset: 'claude_code' }
    : { type: 'preset', preset: 'claude_code', append: appendSystemPrompt }
}

/**
 * Whether a live query hands Claude Code's permission prompts to the person (`canUseTool`). Without it,
 * Claude Code in SDK mode treats every "ask" as a denial ("This command requires approval"), so every mode
 * that can ask wires it; only `bypassPermissions` never asks.
 */
export function asksThePerson(mode: ClaudeCodeOptions['permissionMode']): boolean {
  return (mode ?? 'acceptEdits') !== 'bypassPermissions'
}

/** The `query()` options of one run. */
export function buildQueryOptions(
  config: ContainerConfig,
  options: QueryOptionsSource,
  plan: RunPlan,
): Options {
  const permissionMode = options.permissionMode ?? 'acceptEdits'
  const sdkOptions: Options = {
    cwd: plan.cwd,
    model: plan.model,
    permissionMode,
    systemPrompt: systemPromptFor(options),
    abortController: plan.abortController,
    env: buildClaudeEnv(config, plan.model),
  }
  if (permissionMode === 'bypassPermissions') sdkOptions.allowDangerouslySkipPermissions = true
  if (options.maxTurns !== undefined) sdkOptions.maxTurns = options.maxTurns
  if (options.allowedTools !== undefined) sdkOptions.allowedTools = options.allowedTools
  if (options.resumeSessionId !== undefined) sdkOptions.resume = options.resumeSessionId
  else if (options.continueSession === true) sdkOptions.continue = true
  if (config.claudeCodeExecutable !== undefined)
    sdkOptions.pathToClaudeCodeExecutable = config.claudeCodeExecutable
  if (plan.onStderr !== undefined) sdkOptions.stderr = plan.onStderr
  return sdkOptions
}

/** Runs Claude Code once and yields every SDK message; throws what the SDK throws. */
export function runClaudeCode(
  config: ContainerConfig,
  options: ClaudeCodeOptions,
  plan: RunPlan,
): AsyncGenerator<SDKMessage, void> {
  return query({ prompt: options.prompt, options: buildQueryOptions(config, options, plan) })
}
