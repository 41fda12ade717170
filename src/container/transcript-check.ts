/**
 * Whether Claude Code can still resume a session from its transcript, `<CLAUDE_CONFIG_DIR>/projects/<encoded
 * cwd>/<session id>.jsonl`. Measured with the Agent SDK 0.3.332: resuming an id whose file is missing, empty,
 * or holds no conversation ends the turn at once with an error result, `No conversation found with session
 * ID: <id>`; a file cut mid-line resumes without a word, with whatever lines still parse (the later turns are
 * simply forgotten); and a transcript deleted or cut under a live query is written on with only the new
 * turns, so the next process to resume it forgets the rest. Hence three checks: a new process resumes only a
 * file that exists and parses line by line; a live query only while its file is at least as long as when its
 * last turn ended (Claude Code only appends); and Claude Code's own error is recognised as the same loss.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { TranscriptLostLine } from '../protocol/container-lines.js'

/** The start of the error Claude Code reports when the session to resume has no conversation. */
const NO_CONVERSATION = 'No conversation found with session ID: '

/** The transcript file of `sessionId` under any project folder of `configDir`, if there is one. */
export function findTranscript(configDir: string, sessionId: string): string | undefined {
  const projects = join(configDir, 'projects')
  let folders: string[]
  try {
    folders = readdirSync(projects)
  } catch {
    return undefined
  }
  for (const folder of folders) {
    const file = join(projects, folder, `${sessionId}.jsonl`)
    try {
      if (statSync(file).isFile()) return file
    } catch {
      // not in this project folder
    }
  }
  return undefined
}

/** The size in bytes of the session's transcript, or undefined when there is none. */
export function transcriptBytes(configDir: string, sessionId: string): number | undefined {
  const file = findTranscript(configDir, sessionId)
  if (file === undefined) return undefined
  try {
    return statSync(file).size
  } catch {
    return undefined
  }
}

function lost(
  claudeSessionId: string,
  reason: TranscriptLostLine['reason'],
  detail: string,
): TranscriptLostLine {
  return { type: 'transcript_lost', claudeSessionId, reason, detail }
}

/** Before a new Claude Code process resumes `sessionId`: the loss, or undefined when the file is whole. */
export function checkTranscript(configDir: string, sessionId: string): TranscriptLostLine | undefined {
  const file = findTranscript(configDir, sessionId)
  if (file === undefined)
    return lost(sessionId, 'missing', `no transcript ${sessionId}.jsonl under ${configDir}`)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    return lost(sessionId, 'unreadable', `transcript ${file} cannot be read: ${(err as Error).message}`)
  }
  if (text.trim() === '') return lost(sessionId, 'missing', `transcript ${file} is empty`)
  const lines = text.split('\n')
  // Every line ends with a newline, so the last piece is empty unless the file was cut mid-line.
  for (const [index, line] of lines.entries()) {
    if (line === '' && index === lines.length - 1) continue
    try {
      const value: unknown = JSON.parse(line)
      if (typeof value !== 'object' || value === null) throw new Error('not a JSON object')
    } catch {
      return lost(sessionId, 'unreadable', `transcript ${file} is cut or damaged at line ${index + 1}`)
    }
  }
  return undefined
}

/**
 * Before a live query's next turn: the loss when its transcript is gone or shorter than `bytesAtLastTurn`
 * (what it held when the previous turn ended), else undefined.
 */
export function checkLiveTranscript(
  configDir: string,
  sessionId: string,
  bytesAtLastTurn: number,
): TranscriptLostLine | undefined {
  const bytes = transcriptBytes(configDir, sessionId)
  if (bytes === undefined)
    return lost(sessionId, 'missing', `transcript ${sessionId}.jsonl was removed under the live query`)
  if (bytes < bytesAtLastTurn)
    return lost(
      sessionId,
      'unreadable',
      `transcript ${sessionId}.jsonl shrank from ${bytesAtLastTurn} to ${bytes} bytes under the live query`,
    )
  return undefined
}

/** Claude Code's own answer to resuming `sessionId` when it finds no conversation, as a loss. */
export function noConversationLoss(message: unknown, sessionId: string): TranscriptLostLine | undefined {
  if (typeof message !== 'object' || message === null) return undefined
  const { type, is_error, errors } = message as { type?: unknown; is_error?: unknown; errors?: unknown }
  if (type !== 'result' || is_error !== true || !Array.isArray(errors)) return undefined
  const expected = `${NO_CONVERSATION}${sessionId}`
  const error = errors.find((e) => typeof e === 'string' && e.trim() === expected)
  return error === undefined ? undefined : lost(sessionId, 'no_conversation', `Claude Code: ${expected}`)
}
