/**
 * Starts the session's Claude Code process while the container server is still loading. Loading the SDK
 * alone takes ~160 ms here and the whole server ~300 ms, and Claude Code needs ~450 ms to boot after that:
 * a new session's first turn paid all of it in a row. The server passes the first turn's options in
 * `CONTAINER_PREWARM`; before anything heavy is loaded, the process is spawned with the command line,
 * environment and working directory the SDK would use for them, and the first live query adopts it through
 * the SDK's `spawnClaudeCodeProcess` hook. Only when what the SDK asks for is exactly that: otherwise the
 * early process is stopped and the SDK's own request is spawned, so a difference never changes what runs.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ContainerConfig } from '../config/config.js'
import { ClaudeCodeOptions } from '../protocol/claude-code-options.js'
import { buildClaudeEnv } from './claude-env.js'
import { asksThePerson } from './run-claude-code.js'

/** The first turn's options (all of `POST /`'s but the prompt), as the server sends them. */
export type PrewarmOptions = Omit<ClaudeCodeOptions, 'prompt'>
const PrewarmOptions = ClaudeCodeOptions.omit({ prompt: true })

/** What the SDK hands `spawnClaudeCodeProcess` (the part of its `SpawnOptions` compared here). */
export interface SpawnRequest {
  command: string
  args: string[]
  cwd?: string
  env: Record<string, string | undefined>
  signal?: AbortSignal
}

/** `CONTAINER_PREWARM`'s options, or undefined when absent or not valid options of `POST /`. */
export function parsePrewarm(text: string | undefined): PrewarmOptions | undefined {
  if (text === undefined || text === '') return undefined
  try {
    const parsed = PrewarmOptions.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

const SDK = '@anthropic-ai/claude-agent-sdk'

/** The SDK's own version and the Claude Code binary it would run (its platform package), if found. */
function sdkInstall(): { version: string; executable: string } | undefined {
  try {
    const entry = fileURLToPath(import.meta.resolve(SDK))
    const { version } = JSON.parse(readFileSync(join(dirname(entry), 'package.json'), 'utf8')) as {
      version: string
    }
    if (process.platform !== 'linux') return undefined
    const fromSdk = createRequire(entry)
    for (const name of [`${SDK}-linux-${process.arch}`, `${SDK}-linux-${process.arch}-musl`]) {
      try {
        const executable = fromSdk.resolve(`${name}/claude`)
        if (existsSync(executable)) return { version, executable }
      } catch {
        // not installed
      }
    }
  } catch {
    // no SDK here
  }
  return undefined
}

/**
 * The spawn the SDK asks for when a live query starts with `options` (see LiveQuery): its command line for
 * these options, our Claude environment plus the variables the SDK adds. Undefined when it cannot be known.
 */
export function expectedSpawn(config: ContainerConfig, options: PrewarmOptions): SpawnRequest | undefined {
  // Options that add to the command line in ways not mirrored here: Claude Code starts as usual for them.
  const { systemPrompt, appendSystemPrompt, allowedTools, continueSession } = options
  if (systemPrompt !== undefined || appendSystemPrompt !== undefined || allowedTools !== undefined)
    return undefined
  if (continueSession === true && options.resumeSessionId === undefined) return undefined
  const install = config.claudeCodeExecutable === undefined ? sdkInstall() : undefined
  if (install === undefined) return undefined
  // As WarmSession.prepare picks them.
  const model = options.model ?? config.defaultModel
  const mode = options.permissionMode ?? 'acceptEdits'
  const args = ['--output-format', 'stream-json', '--verbose', '--input-format', 'stream-json']
  if (options.maxTurns !== undefined) args.push(`--max-turns=${options.maxTurns}`)
  args.push(`--model=${model}`)
  if (asksThePerson(mode)) args.push('--permission-prompt-tool=stdio')
  if (options.resumeSessionId !== undefined) args.push(`--resume=${options.resumeSessionId}`)
  args.push(`--permission-mode=${mode}`)
  if (mode === 'bypassPermissions') args.push('--allow-dangerously-skip-permissions')
  args.push('--include-partial-messages')
  return {
    command: install.executable,
    args,
    cwd: config.workspaceDir,
    env: {
      ...buildClaudeEnv(config, model),
      CLAUDE_CODE_ENTRYPOINT: 'sdk-ts',
      CLAUDE_AGENT_SDK_VERSION: install.version,
      CLAUDE_CODE_SDK_READS_SESSION_STATE: '1',
      BUN_ENABLE_CRASH_REPORTING: '0',
    },
  }
}

/** Spawns `request` as the SDK's own local spawn does, with stderr to `onStderr`. */
export function spawnLikeSdk(request: SpawnRequest, onStderr?: (text: string) => void): ChildProcess {
  const child = spawn(request.command, request.args, {
    cwd: request.cwd,
    env: request.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(request.signal !== undefined && { signal: request.signal }),
    windowsHide: true,
  })
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (text: string) => onStderr?.(text))
  child.on('error', () => {})
  return child
}

function sameSpawn(a: SpawnRequest, b: SpawnRequest): boolean {
  if (a.command !== b.command || a.cwd !== b.cwd || a.args.join('\0') !== b.args.join('\0')) return false
  const keys = (env: SpawnRequest['env']) =>
    Object.keys(env)
      .filter((k) => env[k] !== undefined)
      .sort()
  const ak = keys(a.env)
  const bk = keys(b.env)
  return ak.length === bk.length && ak.every((k, i) => k === bk[i] && a.env[k] === b.env[k])
}

/** A Claude Code process started ahead, waiting for the first live query. */
export class Prewarmed {
  readonly child: ChildProcess
  private stderr = ''
  private onStderr: ((text: string) => void) | undefined

  constructor(readonly request: SpawnRequest) {
    this.child = spawnLikeSdk(request, (text) => {
      if (this.onStderr) this.onStderr(text)
      else this.stderr = (this.stderr + text).slice(-4000)
    })
  }

  /** True when the SDK asks for exactly this process (and it still runs). */
  matches(request: SpawnRequest): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && sameSpawn(this.request, request)
  }

  /** Hands the process over (stderr so far, then as it comes, to `onStderr`; killed on `signal`). */
  adopt(signal: AbortSignal | undefined, onStderr?: (text: string) => void): ChildProcess {
    state = 'adopted'
    this.onStderr = onStderr
    if (this.stderr !== '') onStderr?.(this.stderr)
    signal?.addEventListener('abort', () => this.child.kill('SIGTERM'), { once: true })
    return this.child
  }

  /** Stops it: it was not what the first query needed (a process that already ended is left alone). */
  discard(): void {
    state = 'discarded'
    this.child.kill('SIGTERM')
  }
}

let pending: Prewarmed | undefined

/** What became of the prewarm, for `GET /debug` and tests. */
export type PrewarmState = 'none' | 'waiting' | 'adopted' | 'discarded'
let state: PrewarmState = 'none'

export function prewarmState(): PrewarmState {
  return state
}

/**
 * Spawns Claude Code for `CONTAINER_PREWARM`'s options, if given and knowable; the first live query takes it
 * (`takePrewarmed`). Never throws: without a prewarm the first query starts Claude Code as usual.
 */
export function startPrewarm(config: ContainerConfig, text = config.env.CONTAINER_PREWARM): void {
  const options = parsePrewarm(text)
  if (options === undefined) return
  try {
    const request = expectedSpawn(config, options)
    if (request === undefined) return
    mkdirSync(config.workspaceDir, { recursive: true })
    pending?.discard()
    pending = new Prewarmed(request)
    state = 'waiting'
  } catch {
    pending = undefined
  }
}

/** The process `startPrewarm` started, once (undefined afterwards or when there is none). */
export function takePrewarmed(): Prewarmed | undefined {
  const taken = pending
  pending = undefined
  return taken
}
