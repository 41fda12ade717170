import { describe, expect, it } from 'vitest'
import { sdkLineToEffects, TOOL_RESULT_CHARS } from './sdk-line-to-events.js'

const WS = '/workspace'
const sid = '7b0c7f7e-3d6a-4a54-9a39-5f8f2b1d9e01'

describe('sdkLineToEffects', () => {
  it("takes Claude Code's session id from the init message", () => {
    const fx = sdkLineToEffects(
      { type: 'system', subtype: 'init', session_id: sid, model: 'groq/x', tools: [] },
      WS,
    )
    expect(fx).toMatchObject({ claudeSessionId: sid, events: [] })
  })

  it('turns assistant text into a result and a tool call into a tool_use with a short summary', () => {
    const text = sdkLineToEffects(
      {
        type: 'assistant',
        message: { content: [{ type: 'text', text: 'Creating it.' }] },
        parent_tool_use_id: null,
      },
      WS,
    )
    expect(text?.events).toEqual([{ type: 'result', content: 'Creating it.' }])
    const input = { file_path: '/workspace/src/a.ts', content: 'x' }
    const tool = sdkLineToEffects(
      {
        type: 'assistant',
        message: { content: [{ type: 'tool_use', id: 'toolu_1', name: 'Write', input }] },
        parent_tool_use_id: null,
      },
      WS,
    )
    expect(tool?.events).toEqual([
      {
        type: 'tool_use',
        content: 'Write src/a.ts',
        data: { id: 'toolu_1', name: 'Write', input, path: 'src/a.ts' },
      },
    ])
    expect(tool?.toolsStarted).toEqual([{ id: 'toolu_1', name: 'Write' }])
  })

  it("drops empty text, subagents' text, and the made-up message of a failed model call", () => {
    const blank = { type: 'assistant', message: { content: [{ type: 'text', text: '  ' }] } }
    const sub = {
      type: 'assistant',
      message: { content: [{ type: 'text', text: 'inner' }] },
      parent_tool_use_id: 't',
    }
    const failed = {
      type: 'assistant',
      error: 'server_error',
      message: { content: [{ type: 'text', text: 'API Error: 502 could not reach groq' }] },
    }
    for (const line of [blank, sub, failed]) expect(sdkLineToEffects(line, WS)?.events).toEqual([])
  })

  it('reports tool results with their text, clipped, and says the workspace may have changed', () => {
    const long = 'y'.repeat(TOOL_RESULT_CHARS + 5)
    const fx = sdkLineToEffects(
      {
        type: 'user',
        message: {
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'ok' }] },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: long, is_error: true },
          ],
        },
      },
      WS,
    )
    expect(fx?.toolResultSeen).toBe(true)
    expect(fx?.toolsFinished).toEqual(['toolu_1', 'toolu_2'])
    expect(fx?.events[0]).toEqual({
      type: 'tool_result',
      data: { toolUseId: 'toolu_1', isError: false, content: 'ok' },
    })
    expect(fx?.events[1]?.data).toMatchObject({
      toolUseId: 'toolu_2',
      isError: true,
      content: `${'y'.repeat(TOOL_RESULT_CHARS)}\n… (5 more characters)`,
    })
  })

  it("passes on the diff Claude Code reports for a file tool, and a subagent's tool call with its Task", () => {
    const hunk = { oldStart: 1, oldLines: 1, newStart: 1, newLines: 1, lines: ['-old', '+new'] }
    const fx = sdkLineToEffects(
      {
        type: 'user',
        message: { content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'edited' }] },
        tool_use_result: { filePath: '/workspace/a.ts', structuredPatch: [hunk], originalFile: 'old\n' },
      },
      WS,
    )
    expect(fx?.events[0]?.data).toEqual({
      toolUseId: 'toolu_1',
      isError: false,
      content: 'edited',
      patch: [hunk],
    })
    const inner = sdkLineToEffects(
      {
        type: 'assistant',
        message: { content: [{ type: 'tool_use', id: 'toolu_2', name: 'Read', input: {} }] },
        parent_tool_use_id: 'toolu_task',
      },
      WS,
    )
    expect(inner?.events[0]?.data).toEqual({ id: 'toolu_2', name: 'Read', input: {}, parentId: 'toolu_task' })
  })

  it('passes text deltas on without persisting them', () => {
    const fx = sdkLineToEffects(
      {
        type: 'stream_event',
        event: { type: 'content_block_delta', delta: { type: 'text_delta', text: 'He' } },
      },
      WS,
    )
    expect(fx).toMatchObject({ delta: 'He', events: [] })
  })

  it('keeps the final result, a container failure and a permission request', () => {
    const result = { type: 'result', subtype: 'success', is_error: false, result: 'Done.', session_id: sid }
    expect(sdkLineToEffects(result, WS)).toMatchObject({ final: result, claudeSessionId: sid })
    expect(
      sdkLineToEffects({ type: 'error', error: { type: 'api_error', message: 'boom' } }, WS)?.failure,
    ).toBe('boom')
    const ask = sdkLineToEffects(
      { type: 'permission_request', requestId: 'r1', toolName: 'Bash', input: { command: 'ls -la' } },
      WS,
    )
    expect(ask?.permission).toEqual({ requestId: 'r1', tool: 'Bash', input: { command: 'ls -la' } })
    expect(ask?.events).toEqual([
      {
        type: 'permission_request',
        content: 'Allow Bash: ls -la?',
        data: { requestId: 'r1', tool: 'Bash', input: { command: 'ls -la' } },
      },
    ])
  })

  it("gives a permission request Claude Code's reason and the file's path in the workspace", () => {
    const write = (file_path: string) =>
      sdkLineToEffects(
        {
          type: 'permission_request',
          requestId: 'r2',
          toolName: 'Write',
          input: { file_path, content: 'x' },
          reason: 'Path is outside allowed working directories',
        },
        WS,
      )?.events[0]?.data
    expect(write(`${WS}/src/a.ts`)).toMatchObject({
      reason: 'Path is outside allowed working directories',
      path: 'src/a.ts',
    })
    expect(write('/etc/passwd')).not.toHaveProperty('path')
    expect(write(`${WS}/../x`)).not.toHaveProperty('path')
  })

  it('ignores lines it does not know or that are malformed', () => {
    for (const line of [null, 'text', { type: 'system', subtype: 'compact_boundary' }, { type: 'assistant' }])
      expect(sdkLineToEffects(line, WS)).toBeUndefined()
  })

  it('passes on the loss of the transcript of the Claude Code session the turn was to resume', () => {
    const line = { type: 'transcript_lost', claudeSessionId: sid, reason: 'missing', detail: 'no transcript' }
    expect(sdkLineToEffects(line, WS)).toMatchObject({ events: [], transcriptLost: line })
    expect(sdkLineToEffects({ ...line, reason: 'who knows' }, WS)).toBeUndefined()
  })

  it("shows the host's word on the workspace copy as a notice", () => {
    const message =
      'The workspace was not saved: it holds 2 MiB, over the 1 MiB kept when the container sleeps'
    const line = { type: 'workspace_notice', kind: 'workspace_not_saved', message }
    expect(sdkLineToEffects(line, WS)?.events).toEqual([
      { type: 'notice', content: message, data: { kind: 'workspace_not_saved', message } },
    ])
    expect(sdkLineToEffects({ ...line, kind: 'something_else' }, WS)).toBeUndefined()
  })
})
