/** A short human summary of a tool call for the `tool_use` event's content, e.g. `Write hello.txt`. */

function relative(path: string, workspace: string | undefined): string {
  if (workspace !== undefined && workspace !== '') {
    const base = workspace.endsWith('/') ? workspace : `${workspace}/`
    if (path === workspace || path === base) return '.'
    if (path.startsWith(base)) return path.slice(base.length)
  }
  return path
}

function clip(text: string, max = 80): string {
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine
}

export function summarizeToolUse(name: string, input: unknown, workspace?: string): string {
  const args = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>
  const str = (key: string) => (typeof args[key] === 'string' ? (args[key] as string) : undefined)
  const path = str('file_path') ?? str('notebook_path') ?? str('path')
  switch (name) {
    case 'Bash':
      return `Bash: ${clip(str('command') ?? '')}`
    case 'Grep':
    case 'Glob': {
      // Searching the whole workspace goes without saying.
      const where = path === undefined ? '.' : relative(path, workspace)
      return `${name} ${clip(str('pattern') ?? '')}${where === '.' ? '' : ` in ${where}`}`
    }
    case 'WebFetch':
      return `WebFetch ${clip(str('url') ?? '')}`
    case 'WebSearch':
      return `WebSearch ${clip(str('query') ?? '')}`
    case 'Task':
    case 'Agent':
      return `${name}: ${clip(str('description') ?? str('prompt') ?? '')}`
    case 'TodoWrite':
      return 'Update todo list'
    case 'ToolSearch': {
      // `select:A,B` loads the schemas of deferred tools by name (Claude Code's checklist tools among them).
      const query = str('query') ?? ''
      return `ToolSearch: ${clip(query.startsWith('select:') ? query.slice(7).split(',').join(', ') : query)}`
    }
    default:
      return path === undefined ? name : `${name} ${relative(path, workspace)}`
  }
}
