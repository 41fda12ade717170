/**
 * The `none` driver: the container server as a plain child process, not isolated (it can read and write
 * whatever the host user can). What it does guarantee: a clean environment — only PATH and LANG of the host,
 * the spec's env and the container's own settings — so the host's provider keys never reach it; and a home
 * of its own (`<run dir>/home`, as a bwrap sandbox has), so the login shells Claude Code runs its commands in
 * do not run the host user's shell start-up files.
 */
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Env, environment, PROVIDER_SECRET_NAMES } from '../../config/config.js'
import { AppError } from '../../protocol/errors.js'
import { superviseContainerProcess } from '../container-process.js'
import { containerSocketPath, removeSocketFile } from '../host-socket.js'
import type { DriverStartOptions, SandboxDriver, SandboxHandle, SandboxSpec } from '../types.js'

/** Host variables a container inherits. */
const HOST_VARIABLES = ['PATH', 'LANG'] as const

export interface NoneDriverOptions {
  /** Where PATH and LANG come from (default: the host environment via config's `environment()`). */
  hostEnv?: Env
}

/** Refuses a spec that would hand a provider credential to a sandbox (a programming error upstream). */
export function assertNoProviderSecrets(spec: SandboxSpec): void {
  const leaked = PROVIDER_SECRET_NAMES.filter((name) => spec.env[name] !== undefined)
  if (leaked.length > 0) {
    throw new AppError(
      'invalid_config',
      `sandbox env for session ${spec.sessionId} must not carry provider credentials (${leaked.join(', ')}); pass the session's router token as ANTHROPIC_AUTH_TOKEN instead`,
    )
  }
}

/** The sandbox's own home: the run dir's `home`, made on start. */
export function sessionHome(spec: SandboxSpec): string {
  return join(spec.runDir, 'home')
}

/** The container's whole environment: host basics, then the spec, then the container's own settings. */
export function containerEnvironment(
  spec: SandboxSpec,
  socketPath: string,
  hostEnv: Env,
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const name of HOST_VARIABLES) {
    const value = hostEnv[name]
    if (value !== undefined) env[name] = value
  }
  Object.assign(env, spec.env, {
    HOME: sessionHome(spec),
    CONTAINER_SOCKET: socketPath,
    WORKSPACE_DIR: spec.workspaceDir,
    CLAUDE_CONFIG_DIR: spec.claudeDir,
    CONTAINER_EXIT_ON_STDIN_END: '1',
  })
  return env
}

export function createNoneDriver(driverOptions: NoneDriverOptions = {}): SandboxDriver {
  return {
    name: 'none',
    isolated: false,
    async start(
      spec: SandboxSpec,
      command: string[],
      options: DriverStartOptions = {},
    ): Promise<SandboxHandle> {
      assertNoProviderSecrets(spec)
      const [executable, ...args] = command
      if (executable === undefined) throw new AppError('invalid_config', 'sandbox command is empty')
      for (const dir of [spec.workspaceDir, spec.claudeDir, spec.runDir, sessionHome(spec)])
        mkdirSync(dir, { recursive: true })
      const socketPath = containerSocketPath(spec.runDir)
      const child = spawn(executable, args, {
        cwd: spec.workspaceDir,
        env: containerEnvironment(spec, socketPath, driverOptions.hostEnv ?? environment()),
        stdio: ['pipe', 'pipe', 'pipe'],
        // Its own process group, so stop() reaches the Claude Code processes it starts too.
        detached: true,
      })
      const handle = await superviseContainerProcess(child, {
        ...options,
        sessionId: spec.sessionId,
        driver: 'none',
        socketPath,
      })
      // A container killed outright leaves its socket behind, in the temp dir when the run dir is too deep.
      return { ...handle, exited: handle.exited.finally(() => removeSocketFile(socketPath)) }
    },
  }
}

export const noneDriver: SandboxDriver = createNoneDriver()
