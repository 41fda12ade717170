/** What `createRouterApp` takes. */
import type { Env } from '../config/config.js'
import type { RouterConfig } from './config-schema.js'

export interface RouterLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface RouterOptions {
  /** The parsed and validated config file (`loadRouterConfig`). */
  config: RouterConfig
  /** Resolves `os.environ/NAME` and the providers' default key variables (GROQ_API_KEY…). */
  secrets: Env
  /** Upstream fetch; default `globalThis.fetch`. */
  fetch?: typeof fetch
  /**
   * When given, decides on the token of `Authorization: Bearer X` or `x-api-key: X`; false answers 401.
   * When absent and `general_settings.master_key` is set, the token must equal the master key.
   */
  authorize?: (token: string | undefined) => boolean | Promise<boolean>
  logger?: RouterLogger
}

export const silentLogger: RouterLogger = {
  info() {},
  warn() {},
  error() {},
}
