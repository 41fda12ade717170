/**
 * Structured JSON logs (pino). Every line passes through a scrubber that replaces the value of every
 * configured secret with `[REDACTED]`, whatever field or message it ended up in; well-known secret field
 * names are redacted by pino itself as well.
 */
import pino, { type Logger } from 'pino'
import type { Env } from '../config/config.js'

const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i
/** Values shorter than this are too likely to occur by chance to be scrubbed as text. */
const MIN_SECRET_LENGTH = 8

/** The values of every variable whose name says it is a secret. */
export function secretValues(env: Env): string[] {
  const values = new Set<string>()
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.length >= MIN_SECRET_LENGTH && SECRET_NAME.test(name)) values.add(value)
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...values].sort((a, b) => b.length - a.length)
}

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) if (out.includes(secret)) out = out.replaceAll(secret, '[REDACTED]')
  return out
}

export interface LoggerOptions {
  level: string
  secrets: () => readonly string[]
  destination?: { write(line: string): unknown }
}

export function createLogger(options: LoggerOptions): Logger {
  const out = options.destination ?? process.stdout
  return pino(
    {
      level: options.level,
      base: { service: 'agent-router' },
      redact: {
        paths: [
          'authorization',
          'headers.authorization',
          'headers["x-api-key"]',
          'req.headers.authorization',
          'req.headers["x-api-key"]',
          'apiKey',
          'api_key',
          'token',
        ],
        censor: '[REDACTED]',
      },
    },
    { write: (line: string) => out.write(scrub(line, options.secrets())) },
  )
}

export type { Logger }
