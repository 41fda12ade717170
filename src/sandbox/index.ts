/**
 * Sandboxes (seed: ClaudeCodeContainer): one container-server process per session, started by a driver and
 * reached through a ContainerClient.
 */

export { createUnixSocketClient, UnixSocketContainerClient } from './container-client.js'
export { type SuperviseOptions, superviseContainerProcess } from './container-process.js'
export { defaultContainerCommand } from './default-command.js'
export { buildBwrapInvocation, INSIDE } from './drivers/bwrap/args.js'
export {
  type BwrapDriver,
  type BwrapDriverOptions,
  createBwrapDriver,
  probeBwrap,
  type SandboxedProcess,
} from './drivers/bwrap/index.js'
export { drivers } from './drivers/index.js'
export { createNoneDriver, type NoneDriverOptions, noneDriver } from './drivers/none.js'
export { type EgressProxy, isHostAllowed, startEgressProxy } from './egress-proxy.js'
export { containerSocketPath, hostSocketPath, serveOnUnixSocket } from './host-socket.js'
export type { LimitEnforcement, SandboxLimits } from './limits.js'
export {
  type EnsureOptions,
  SandboxManager,
  type SandboxManagerOptions,
  type SandboxState,
  type WaitInfo,
} from './sandbox-manager.js'
export { selectDriver } from './select-driver.js'
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
export type { PoolMember, PoolSource, PoolStatus } from './warm-pool.js'
