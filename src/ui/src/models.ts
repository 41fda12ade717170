/**
 * The model choice: the configured providers' models as the server lists them, and the per-session preference
 * kept in localStorage under the seed's key `model_${sessionId}` (the server keeps it too, as the session's
 * preferredModel, once a message is sent with it).
 */

export interface ModelOption {
  id: string
  label: string
}

/** The value of an "other model…" entry: the wildcard route's prefix after it (`groq/`). */
export const OTHER_MODEL = 'other-model:'

/**
 * The configured providers' models (from `GET /agent/models`), then any extra (the session's current model),
 * then one "other model…" entry per wildcard route, which takes a model name typed in.
 */
export function modelOptions(
  routerIds: readonly string[],
  extra: readonly (string | undefined)[],
  wildcards: readonly string[] = [],
): ModelOption[] {
  const out: ModelOption[] = []
  const seen = new Set<string>()
  for (const id of [...routerIds, ...extra]) {
    if (id === undefined || id === '' || id.includes('*') || seen.has(id)) continue
    seen.add(id)
    out.push({ id, label: id })
  }
  for (const pattern of wildcards) {
    const prefix = pattern.slice(0, pattern.indexOf('*'))
    out.push({
      id: `${OTHER_MODEL}${prefix}`,
      label: prefix === '' ? 'Other model…' : `Other ${prefix} model…`,
    })
  }
  return out
}

const key = (sessionId: string) => `model_${sessionId}`

export function savedModel(sessionId: string): string | undefined {
  try {
    return localStorage.getItem(key(sessionId)) ?? undefined
  } catch {
    return undefined
  }
}

export function saveModel(sessionId: string, model: string): void {
  try {
    localStorage.setItem(key(sessionId), model)
  } catch {
    // Storage full or disabled: the server still keeps the choice once a message is sent.
  }
}

export function forgetModel(sessionId: string): void {
  try {
    localStorage.removeItem(key(sessionId))
  } catch {}
}

/** The model a session uses: this browser's choice, else the session's stored preference, else the default. */
export function chooseModel(
  sessionId: string,
  preferred: string | undefined,
  fallback: string | undefined,
): string {
  return savedModel(sessionId) ?? preferred ?? fallback ?? ''
}
