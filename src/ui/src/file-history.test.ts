import { describe, expect, it } from 'vitest'
import { buildConversation } from './conversation'
import { lastTurnEdits, noPatchNote } from './file-history'
import type { WireEvent } from './session-socket'

let seq = 0
const ev = (type: WireEvent['type'], data?: unknown, content?: string): WireEvent => ({
  type,
  content,
  data,
  seq: ++seq,
  timestamp: 1,
  sessionId: 's',
})
const hunk = (line: string) => ({ oldStart: 1, oldLines: 1, newStart: 1, newLines: 1, lines: [line] })
const edit = (id: string, file: string, line: string, parentId?: string) => [
  ev('tool_use', {
    id,
    name: 'Edit',
    input: { file_path: `/ws/${file}` },
    path: file,
    ...(parentId && { parentId }),
  }),
  ev('tool_result', { toolUseId: id, isError: false, patch: [hunk(line)] }),
]

describe('lastTurnEdits', () => {
  it("gives the latest turn's edits of a file, in order, a subagent's included", () => {
    const items = buildConversation([
      ev('user_message', undefined, 'one'),
      ev('status', { isRunning: true }),
      ...edit('a', 'src/x.ts', '+first turn'),
      ev('status', { isRunning: false }),
      ev('user_message', undefined, 'two'),
      ev('status', { isRunning: true }),
      ...edit('b', 'src/x.ts', '+second turn'),
      ev('tool_use', { id: 'task', name: 'Task', input: {} }),
      ...edit('c', 'src/x.ts', '+by the subagent', 'task'),
      ...edit('d', 'other.ts', '+elsewhere'),
      ev('status', { isRunning: false }),
      ev('user_message', undefined, 'three: nothing on x'),
    ])
    expect(lastTurnEdits(items, 'src/x.ts').map((e) => e.hunks[0]?.lines[0])).toEqual([
      '+second turn',
      '+by the subagent',
    ])
    expect(lastTurnEdits(items, 'x.ts')).toEqual([])
    const made = buildConversation([
      ev('user_message', undefined, 'make it'),
      ev('tool_use', { id: 'w', name: 'Write', input: { content: 'a\nb\n' }, path: 'new.txt' }),
      ev('tool_result', { toolUseId: 'w', isError: false }),
    ])
    expect(lastTurnEdits(made, 'new.txt')).toEqual([
      {
        tool: 'Write (new file)',
        hunks: [{ oldStart: 0, oldLines: 0, newStart: 1, newLines: 2, lines: ['+a', '+b'] }],
        clipped: false,
        created: true,
      },
    ])
    expect(lastTurnEdits(items, 'missing.ts')).toEqual([])
  })

  it("adds a command's changes, in order with the file tools', and says why a change has no diff", () => {
    const items = buildConversation([
      ev('user_message', undefined, 'one'),
      ev('status', { isRunning: true }),
      ev('file_change', { path: 'x.txt', action: 'modified', patch: [hunk('+old turn')] }, 'Modified: x.txt'),
      ev('status', { isRunning: false }),
      ev('user_message', undefined, 'two'),
      ev('status', { isRunning: true }),
      ...edit('a', 'x.txt', '+by Edit'),
      ev('file_change', { path: 'x.txt', action: 'modified' }, 'Modified: x.txt'),
      ev('file_change', { path: 'x.txt', action: 'modified', patch: [hunk('+by sed')], patchClipped: true }),
      ev('file_change', { path: 'y.txt', action: 'created', patch: [hunk('+new')] }, 'Created: y.txt'),
      ev('file_change', { path: 'logo.png', action: 'created', noPatch: 'binary' }, 'Created: logo.png'),
    ])
    expect(lastTurnEdits(items, 'x.txt')).toEqual([
      { tool: 'Edit', hunks: [hunk('+by Edit')], clipped: false },
      { tool: 'Changed by a command', hunks: [hunk('+by sed')], clipped: true },
    ])
    expect(lastTurnEdits(items, 'y.txt')).toEqual([
      { tool: 'Created by a command', hunks: [hunk('+new')], clipped: false, created: true },
    ])
    expect(lastTurnEdits(items, 'logo.png')).toEqual([
      { tool: 'Created by a command', hunks: [], clipped: false, created: true, noPatch: 'binary' },
    ])
    expect(noPatchNote('binary')).toBe('binary file, no diff')
  })
})
