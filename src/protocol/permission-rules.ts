/**
 * "Always allow" rules of a session, one source for the agent (which applies them before a prompt is shown)
 * and the UI (which labels the button with the rule it would store). A rule allows a whole tool in the
 * session (`WebFetch`), or Bash commands that start with a prefix (`npm test`), the way Claude Code's own
 * `Bash(npm test:*)` rules do. A prefix rule never covers a command that chains, pipes, redirects or
 * substitutes anything, so `npm test && rm -rf ~` still asks.
 */
import type { z } from 'zod'
import type { PermissionRuleSchema, RememberKindSchema } from './events.js'

// The schemas live in events.ts, so the web UI can use these functions without bundling zod.
export type PermissionRule = z.infer<typeof PermissionRuleSchema>
/** What an "Always allow" answer asks to remember: the tool, or the Bash command's prefix. */
export type RememberKind = z.infer<typeof RememberKindSchema>

/** Shell syntax that makes a command more than one program run with arguments. */
const COMPOUND = /[;&|<>`\n\r]|\$\(|\$\{/

/** The Bash command of a tool input, or undefined. */
export function bashCommand(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined
  const command = (input as { command?: unknown }).command
  return typeof command === 'string' ? command.trim() : undefined
}

/** A command that a prefix rule may cover: one program with plain arguments. */
export function isSimpleCommand(command: string): boolean {
  return command !== '' && !COMPOUND.test(command)
}

/**
 * The prefix an "Always allow" would remember for a Bash command: its first word, and the second one when it
 * reads as a subcommand (`npm test`, `git status`, `cargo build`), not a flag or a path. Undefined for a
 * command no prefix rule could cover.
 */
export function bashPrefix(command: string): string | undefined {
  const trimmed = command.trim()
  if (!isSimpleCommand(trimmed)) return undefined
  const [first, second] = trimmed.split(/\s+/)
  if (first === undefined || first.includes('=')) return undefined
  return second !== undefined && /^[A-Za-z][\w:-]*$/.test(second) ? `${first} ${second}` : first
}

/** The rule an "Always allow" of this request would store, or undefined when none can be made. */
export function ruleFor(tool: string, input: unknown, remember: RememberKind): PermissionRule | undefined {
  if (remember === 'tool') return { kind: 'tool', tool }
  if (tool !== 'Bash') return undefined
  const command = bashCommand(input)
  const prefix = command === undefined ? undefined : bashPrefix(command)
  return prefix === undefined ? undefined : { kind: 'prefix', tool: 'Bash', prefix }
}

/** What the UI offers as "Always allow" for a request: a prefix for Bash, the tool for the rest. */
export function offeredRule(tool: string, input: unknown): PermissionRule | undefined {
  return ruleFor(tool, input, tool === 'Bash' ? 'prefix' : 'tool')
}

/** Whether `rule` covers a request for `tool` with `input`. */
export function ruleCovers(rule: PermissionRule, tool: string, input: unknown): boolean {
  if (rule.kind === 'tool') return rule.tool === tool
  if (tool !== 'Bash') return false
  const command = bashCommand(input)
  if (command === undefined || !isSimpleCommand(command)) return false
  return (
    command === rule.prefix || command.startsWith(`${rule.prefix} `) || command.startsWith(`${rule.prefix}\t`)
  )
}

/** The first of `rules` that covers the request. */
export function matchingRule(
  rules: readonly PermissionRule[],
  tool: string,
  input: unknown,
): PermissionRule | undefined {
  return rules.find((rule) => ruleCovers(rule, tool, input))
}

/** The rule in words, for buttons and the event log: "`npm test`" or "WebFetch in this session". */
export function describeRule(rule: PermissionRule): string {
  return rule.kind === 'prefix' ? `\`${rule.prefix}\`` : `${rule.tool} in this session`
}

export function sameRule(a: PermissionRule, b: PermissionRule): boolean {
  return (
    a.kind === b.kind && a.tool === b.tool && (a.kind !== 'prefix' || a.prefix === (b as typeof a).prefix)
  )
}
