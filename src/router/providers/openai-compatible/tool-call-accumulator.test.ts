import { describe, expect, it } from 'vitest'
import { ToolCallAccumulator } from './tool-call-accumulator.js'

describe('ToolCallAccumulator', () => {
  it('starts a new call when a finished call at the same index is followed by another name and no ids', () => {
    const acc = new ToolCallAccumulator()
    acc.add({ index: 0, function: { name: 'Read', arguments: '{"file_path":"a"}' } })
    acc.add({ index: 0, function: { name: 'Read', arguments: '{"file_path":"b"}' } })
    expect(acc.finish('m').map((c) => [c.id, c.name, c.inputJson])).toEqual([
      ['toolu_m_0', 'Read', '{"file_path":"a"}'],
      ['toolu_m_1', 'Read', '{"file_path":"b"}'],
    ])
  })

  it('keeps one call when a provider repeats the name on every chunk', () => {
    const acc = new ToolCallAccumulator()
    acc.add({ index: 0, id: 'c1', function: { name: 'Bash', arguments: '{"command":' } })
    acc.add({ index: 0, function: { name: 'Bash', arguments: '"ls"}' } })
    expect(acc.finish('m').map((c) => c.inputJson)).toEqual(['{"command":"ls"}'])
  })

  it('adopts an id that arrives after the first chunk and keeps duplicate ids unique', () => {
    const acc = new ToolCallAccumulator()
    acc.add({ index: 0, function: { name: 'A', arguments: '' } })
    acc.add({ index: 0, id: 'same', function: { arguments: '{}' } })
    acc.add({ index: 1, id: 'other', function: { name: 'B', arguments: '{}' } })
    const calls = acc.finish('m')
    expect(calls.map((c) => c.id)).toEqual(['same', 'other'])
  })

  it('replaces non-object arguments with {} and flags them', () => {
    const acc = new ToolCallAccumulator()
    acc.add({ index: 0, id: 'x', function: { name: 'A', arguments: '[1]' } })
    expect(acc.finish('m')[0]).toMatchObject({ inputJson: '{}', invalidArguments: true })
  })

  it('keeps what was added since it was last taken, from deltas and from cumulative snapshots alike', () => {
    const acc = new ToolCallAccumulator()
    const call = acc.add({ index: 0, id: 'w', function: { name: 'Write', arguments: '{"file_path"' } })
    expect(call.unsent).toBe('{"file_path"')
    call.unsent = ''
    acc.add({ index: 0, function: { arguments: ':"a.ts",' } })
    acc.add({ index: 0, function: { arguments: '"content":"x' } })
    expect(call.unsent).toBe(':"a.ts","content":"x')
    call.unsent = ''
    // A snapshot repeats everything so far: only its new end is unsent; the same snapshot again adds nothing.
    acc.add({ index: 0, function: { arguments: '{"file_path":"a.ts","content":"xyz' } })
    acc.add({ index: 0, function: { arguments: '{"file_path":"a.ts","content":"xyz' } })
    expect(call.unsent).toBe('yz')
    // A delta longer than what came before that does not repeat it is appended whole.
    acc.add({ index: 0, function: { arguments: `${'z'.repeat(60)}"}` } })
    expect(call.unsent).toBe(`yz${'z'.repeat(60)}"}`)
    expect(call.args).toBe(`{"file_path":"a.ts","content":"xyz${'z'.repeat(60)}"}`)
  })
})
