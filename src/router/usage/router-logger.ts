/** Where the router logs (pino fits), and the logger used when the host gives none. */

export interface RouterLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export const silentLogger: RouterLogger = {
  info() {},
  warn() {},
  error() {},
}
