/**
 * The environment of the Claude Code process, built from an allowlist. Nothing else of the container's
 * environment reaches Claude Code (the SDK's `env` option replaces the child's environment entirely).
 */
import { tmpdir } from 'node:os'
import type { ContainerConfig } from '../config/config.js'

/** Variables copied from the container's environment when present. */
const PASSED_THROUGH = [
  'PATH',
  'LANG',
  'TZ',
  // Set by the bwrap driver when SANDBOX_EGRESS allows some hosts (its egress proxy).
  'HTTPS_PROXY',
  'HTTP_PROXY',
  'NO_PROXY',
  'https_proxy',
  'http_proxy',
  'no_proxy',
] as const

/** Keeps Claude Code offline apart from its model calls, and quiet. */
const QUIET = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_TELEMETRY: '1',
  DISABLE_AUTOUPDATER: '1',
  DISABLE_ERROR_REPORTING: '1',
} as const

/**
 * Claude Code's own retries of a failed model call (its default is 10, with backoff growing to 32 s: minutes
 * of silence before a person sees the error). The router already retries and falls back as its
 * `router_settings` say, so Claude Code only covers a hiccup on its link to the router.
 */
const CLAUDE_MAX_RETRIES = '2'

/**
 * The Claude Code environment for one run: PATH/LANG/TZ from the container, a writable HOME, the router
 * address and the per-session router token, the session's `CLAUDE_CONFIG_DIR`, the checklist tools whatever the
 * model, and `model` as both the main and the small/fast model so background calls (titles, summaries) go to
 * the session's model too.
 */
export function buildClaudeEnv(config: ContainerConfig, model: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const name of PASSED_THROUGH) {
    const value = config.env[name]
    if (value !== undefined && value !== '') env[name] = value
  }
  const home = config.env.HOME
  env.HOME = home !== undefined && home !== '' ? home : (config.claudeConfigDir ?? tmpdir())
  if (config.anthropicBaseUrl !== undefined) env.ANTHROPIC_BASE_URL = config.anthropicBaseUrl
  if (config.anthropicAuthToken !== undefined) env.ANTHROPIC_AUTH_TOKEN = config.anthropicAuthToken
  if (config.claudeConfigDir !== undefined) env.CLAUDE_CONFIG_DIR = config.claudeConfigDir
  Object.assign(env, QUIET)
  env.CLAUDE_CODE_MAX_RETRIES = CLAUDE_MAX_RETRIES
  // Claude Code offers its checklist tools (TaskCreate, TaskUpdate, TaskGet, TaskList) only to a model name it
  // knows as Claude's, or when this is set. The session's model is usually another (`groq/…`), and without
  // these tools the agent keeps no checklist for the person to follow.
  env.CLAUDE_CODE_ENABLE_TODO_TOOLS = '1'
  env.ANTHROPIC_MODEL = model
  env.ANTHROPIC_SMALL_FAST_MODEL = model
  return env
}
