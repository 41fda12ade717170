/** Sandbox drivers by name (`SANDBOX` setting). `bwrap` joins here as `drivers/bwrap.ts`. */
import type { SandboxDriver } from '../types.js'
import { noneDriver } from './none.js'

export const drivers: Record<string, SandboxDriver> = { none: noneDriver }
