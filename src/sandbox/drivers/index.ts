/** Sandbox drivers by name (`SANDBOX` setting). `bwrap` needs host settings, so start.ts creates it (see bwrap/index.ts). */
import type { SandboxDriver } from '../types.js'
import { noneDriver } from './none.js'

export {
  type BwrapDriver,
  type BwrapDriverOptions,
  createBwrapDriver,
  probeBwrap,
  type SandboxedProcess,
} from './bwrap/index.js'

export const drivers: Record<string, SandboxDriver> = { none: noneDriver }
