/**
 * The body of `GET /debug`: how the container reaches the model router, the process, the workspace and
 * the environment, with every secret redacted (names that look secret, and any value equal to a secret).
 */
import { existsSync } from 'node:fs'
import type { ContainerConfig } from '../config/config.js'
import { REDACTED, redactSecrets, secretValuesOf } from './redact.js'

export function debugInfo(config: ContainerConfig): unknown {
  const secrets = [
    ...secretValuesOf(config.env),
    ...[config.anthropicAuthToken, config.anthropicApiKey].filter((v): v is string => v !== undefined),
  ]
  const info = {
    apiConfiguration: {
      ANTHROPIC_BASE_URL: config.anthropicBaseUrl,
      ANTHROPIC_AUTH_TOKEN: config.anthropicAuthToken === undefined ? undefined : REDACTED,
      ANTHROPIC_API_KEY: config.anthropicApiKey === undefined ? undefined : REDACTED,
      hasAuthToken: config.anthropicAuthToken !== undefined,
      hasApiKey: config.anthropicApiKey !== undefined,
      defaultModel: config.defaultModel,
      claudeCodeExecutable: config.claudeCodeExecutable ?? 'bundled',
    },
    processInfo: {
      uptime: process.uptime(),
      pid: process.pid,
      node: process.version,
      platform: process.platform,
      memoryUsage: process.memoryUsage(),
    },
    workspace: {
      dir: config.workspaceDir,
      exists: existsSync(config.workspaceDir),
      sessionsDir: config.sessionsDir,
      claudeConfigDir: config.claudeConfigDir,
    },
    listen:
      config.socketPath === undefined
        ? { host: config.host, port: config.port }
        : { socketPath: config.socketPath },
    environment: { ...config.env },
  }
  return redactSecrets(info, secrets)
}
