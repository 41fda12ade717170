/**
 * A session's title. The first message names it at once (cut to a line); when its first turn has answered, a
 * short title is asked of the session's model from that exchange, and replaces the first one unless the person
 * renamed the session meanwhile. Asking is the host's (`AgentDeps.titleFor`): the Node host asks the router,
 * as the session, so the call counts in the session's usage.
 */
import type { SessionStore } from '../store/session-store.js'

/** Asks `model` for a short title from `prompt`; undefined when it cannot. */
export type TitleFor = (request: {
  sessionId: string
  model: string
  prompt: string
}) => Promise<string | undefined>

/** Longest title made from a message or a model's answer. */
export const TITLE_CHARS = 80

/** What a session is called before anything better: its first message on one line. */
export function firstMessageTitle(content: string): string {
  return content.trim().replace(/\s+/g, ' ').slice(0, TITLE_CHARS)
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text)

/** The request to the model: the exchange, and what a title is. */
export function titlePrompt(user: string, answer: string): string {
  return [
    'Write a title of three to six words for the conversation below, in the language it is written in.',
    'Answer with the title only: no quotes, no final full stop.',
    '',
    `User: ${clip(user, 2000)}`,
    '',
    `Assistant: ${clip(answer, 2000)}`,
  ].join('\n')
}

/** The model's answer as a title: one line, no quotes or "Title:", no final full stop; undefined if empty. */
export function cleanTitle(raw: string): string | undefined {
  const line = raw
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '')
  if (line === undefined) return undefined
  const title = line
    .replace(/^(title)\s*:\s*/i, '')
    .replace(/^[*_#"'“”‘’`\s]+|[*_"'“”‘’`\s]+$/g, '')
    .replace(/[.。]$/, '')
    .trim()
  return title === '' ? undefined : title.slice(0, TITLE_CHARS)
}

/**
 * After a turn answered: when the session is still called by this turn's message (its first, not renamed),
 * asks for a title and stores it, unless the session was renamed or deleted meanwhile. Never throws.
 */
export async function retitle(
  store: SessionStore,
  sessionId: string,
  titleFor: TitleFor,
  turn: { content: string; answer: string; model: string; onTitled(title: string): void },
): Promise<void> {
  const first = firstMessageTitle(turn.content)
  try {
    if (store.getSession(sessionId)?.title !== first) return
    const asked = await titleFor({
      sessionId,
      model: turn.model,
      prompt: titlePrompt(turn.content, turn.answer),
    })
    const title = asked === undefined ? undefined : cleanTitle(asked)
    if (title === undefined || store.getSession(sessionId)?.title !== first) return
    store.updateSession(sessionId, { title })
    turn.onTitled(title)
  } catch {
    // No title (the model failed, or the server is shutting down and its store closed): the session keeps its own.
  }
}
