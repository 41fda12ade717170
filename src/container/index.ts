/**
 * The container server (seed: claude-server.js): the HTTP server that runs inside a session's sandbox and
 * drives Claude Code through the Agent SDK in the session workspace.
 */
export { createContainerApp } from './app.js'
export { buildClaudeEnv } from './claude-env.js'
export { REDACTED, redactSecrets, SECRET_NAME_PATTERN, secretValuesOf } from './redact.js'
export { type RunningContainerServer, runContainerServer } from './server.js'
