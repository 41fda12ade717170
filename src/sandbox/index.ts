/**
 * Sandboxes (seed: ClaudeCodeContainer): one container-server process per session, started by a driver and
 * reached through a ContainerClient.
 */
export { createUnixSocketClient, UnixSocketContainerClient } from './container-client.js'
export { type SuperviseOptions, superviseContainerProcess } from './container-process.js'
export { defaultContainerCommand } from './default-command.js'
export { drivers } from './drivers/index.js'
export { createNoneDriver, type NoneDriverOptions, noneDriver } from './drivers/none.js'
export { SandboxManager, type SandboxManagerOptions } from './sandbox-manager.js'
export { containerSocketPath } from './socket-path.js'
export type {
  ContainerClient,
  DriverStartOptions,
  SandboxDriver,
  SandboxExit,
  SandboxHandle,
  SandboxLogger,
  SandboxSpec,
} from './types.js'
export { silentLogger } from './types.js'
