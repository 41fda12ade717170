import { describe, expect, it } from 'vitest'
import { summarizeToolUse } from './summarize-tool-use.js'

describe('summarizeToolUse', () => {
  it('names files and searched folders relative to the workspace, and leaves out the workspace itself', () => {
    expect(summarizeToolUse('Edit', { file_path: '/ws/src/a.ts' }, '/ws')).toBe('Edit src/a.ts')
    expect(summarizeToolUse('Grep', { pattern: 'todo', path: '/ws' }, '/ws')).toBe('Grep todo')
    expect(summarizeToolUse('Grep', { pattern: 'todo', path: '/ws/' }, '/ws')).toBe('Grep todo')
    expect(summarizeToolUse('Glob', { pattern: '*.md', path: '/ws/docs' }, '/ws')).toBe('Glob *.md in docs')
    expect(summarizeToolUse('Glob', { pattern: '*.md' }, '/ws')).toBe('Glob *.md')
    expect(summarizeToolUse('Grep', { pattern: 'x', path: '/etc' }, '/ws')).toBe('Grep x in /etc')
  })

  it('names the tools a ToolSearch loads, or what it searches for', () => {
    expect(summarizeToolUse('ToolSearch', { query: 'select:TaskCreate,TaskUpdate' })).toBe(
      'ToolSearch: TaskCreate, TaskUpdate',
    )
    expect(summarizeToolUse('ToolSearch', { query: 'notebook jupyter', max_results: 5 })).toBe(
      'ToolSearch: notebook jupyter',
    )
  })
})
