/**
 * The model choice: the seed's list plus the router's concrete model ids, and the per-session preference
 * kept in localStorage under the seed's key `model_${sessionId}` (the server keeps it too, as the session's
 * preferredModel, once a message is sent with it).
 */

export const SEED_MODELS: readonly { id: string; label: string }[] = [
  { id: 'groq/openai/gpt-oss-120b', label: 'Groq GPT-OSS-120B' },
  { id: 'groq/openai/gpt-oss-20b', label: 'Groq GPT-OSS-20B' },
  { id: 'groq/moonshotai/kimi-k2-instruct', label: 'Groq Kimi K2 Instruct' },
  { id: 'openrouter/z-ai/glm-4.5-air', label: 'OpenRouter GLM-4.5-Air' },
  { id: 'openrouter/z-ai/glm-4.5', label: 'OpenRouter GLM-4.5' },
  { id: 'openrouter/qwen/qwen3-coder', label: 'OpenRouter Qwen3 Coder' },
]

export interface ModelOption {
  id: string
  label: string
}

/** Seed models first, then the router's concrete ids, then any extra (e.g. the session's current model). */
export function modelOptions(
  routerIds: readonly string[],
  extra: readonly (string | undefined)[],
): ModelOption[] {
  const out: ModelOption[] = [...SEED_MODELS]
  const seen = new Set(out.map((m) => m.id))
  for (const id of [...routerIds, ...extra]) {
    if (id === undefined || id === '' || id.includes('*') || seen.has(id)) continue
    seen.add(id)
    out.push({ id, label: id })
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
  return savedModel(sessionId) ?? preferred ?? fallback ?? SEED_MODELS[0]!.id
}
