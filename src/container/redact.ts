/**
 * Secret redaction for anything shown to a person or written to a log: `GET /debug`, log lines, error
 * reports. Works on plain JSON-like values and never mutates its input.
 */

export const REDACTED = '[REDACTED]'

/** Names of variables and fields that hold secrets. */
export const SECRET_NAME_PATTERN = /KEY|TOKEN|SECRET|PASSWORD|AUTH|CREDENTIAL/i

/** Secrets shorter than this are only redacted where a whole value equals them, never inside longer text. */
const MIN_EMBEDDED_SECRET_LENGTH = 8

/** The values of every variable in `env` whose name looks secret (non-empty strings only). */
export function secretValuesOf(env: Readonly<Record<string, string | undefined>>): string[] {
  const values = new Set<string>()
  for (const [name, value] of Object.entries(env)) {
    if (SECRET_NAME_PATTERN.test(name) && typeof value === 'string' && value.trim() !== '') values.add(value)
  }
  return [...values]
}

/**
 * A copy of `value` with secrets replaced by `[REDACTED]`:
 * - every string under a field whose name matches {@link SECRET_NAME_PATTERN} (at any depth below it;
 *   numbers and booleans stay, so `input_tokens: 12` or `hasAuthToken: true` remain readable);
 * - every string equal to one of `secretValues`, and every occurrence of a secret of 8+ characters inside
 *   a longer string (a token embedded in a URL or an error message).
 * Arrays and plain objects are walked; an `Error` becomes `{ name, message, stack }`; cycles become
 * `[Circular]`.
 */
export function redactSecrets(value: unknown, secretValues: string[]): unknown {
  const exact = new Set(secretValues.filter((s) => s !== ''))
  const embedded = [...exact]
    .filter((s) => s.length >= MIN_EMBEDDED_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length)
  const seen = new WeakSet<object>()

  const redactString = (text: string): string => {
    if (exact.has(text)) return REDACTED
    let out = text
    for (const secret of embedded) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
    return out
  }

  const walk = (current: unknown, underSecretName: boolean): unknown => {
    if (typeof current === 'string') return underSecretName ? REDACTED : redactString(current)
    if (current === null || typeof current !== 'object') return current
    if (seen.has(current)) return '[Circular]'
    seen.add(current)
    try {
      if (Array.isArray(current)) return current.map((item) => walk(item, underSecretName))
      if (current instanceof Error) {
        return walk({ name: current.name, message: current.message, stack: current.stack }, underSecretName)
      }
      const out: Record<string, unknown> = {}
      for (const [key, child] of Object.entries(current)) {
        out[key] = walk(child, underSecretName || SECRET_NAME_PATTERN.test(key))
      }
      return out
    } finally {
      seen.delete(current)
    }
  }

  return walk(value, false)
}
