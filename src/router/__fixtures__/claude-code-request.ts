/**
 * Messages request bodies shaped like the ones Claude Code sends: a small one like `bench/router.js` sends (one
 * cached system block, one user text, one tool) and a mid-session one (20 tools with full JSON schemas, 30
 * messages of text, thinking, tool_use and tool_result blocks, cache_control marks, metadata). Built in code
 * so the sizes stay readable; the field order and the loose extras follow what Claude Code puts on the wire.
 */

const SCHEMA = 'http://json-schema.org/draft-07/schema#'

function prop(type: string, description: string, extra: Record<string, unknown> = {}) {
  return { type, description, ...extra }
}

function tool(name: string, properties: Record<string, unknown>, required: string[]) {
  return {
    name,
    description: `${name}: ${'Performs the operation described by its parameters. '.repeat(12)}`,
    input_schema: {
      type: 'object',
      properties,
      required,
      additionalProperties: false,
      $schema: SCHEMA,
    },
  }
}

const TODO = {
  type: 'object',
  properties: {
    content: prop('string', 'What to do', { minLength: 1 }),
    status: { type: 'string', enum: ['pending', 'in_progress', 'completed'] },
    activeForm: prop('string', 'The present continuous form', { minLength: 1 }),
  },
  required: ['content', 'status', 'activeForm'],
  additionalProperties: false,
}

const EDIT = {
  type: 'object',
  properties: {
    old_string: prop('string', 'The text to replace'),
    new_string: prop('string', 'The text to replace it with'),
    replace_all: prop('boolean', 'Replace all occurrences', { default: false }),
  },
  required: ['old_string', 'new_string'],
  additionalProperties: false,
}

const TOOLS = [
  tool(
    'Task',
    {
      description: prop('string', 'A short (3-5 word) description of the task'),
      prompt: prop('string', 'The task for the agent to perform'),
      subagent_type: prop('string', 'The type of specialized agent to use'),
    },
    ['description', 'prompt', 'subagent_type'],
  ),
  tool(
    'Bash',
    {
      command: prop('string', 'The command to execute'),
      timeout: prop('number', 'Optional timeout in milliseconds (max 600000)'),
      description: prop('string', 'Clear, concise description of what this command does'),
      run_in_background: prop('boolean', 'Run this command in the background'),
    },
    ['command'],
  ),
  tool(
    'Glob',
    { pattern: prop('string', 'The glob pattern'), path: prop('string', 'The directory to search in') },
    ['pattern'],
  ),
  tool(
    'Grep',
    {
      pattern: prop('string', 'The regular expression pattern'),
      path: prop('string', 'File or directory to search in'),
      glob: prop('string', 'Glob pattern to filter files'),
      output_mode: { type: 'string', enum: ['content', 'files_with_matches', 'count'] },
      '-B': prop('number', 'Lines before each match'),
      '-A': prop('number', 'Lines after each match'),
      '-C': prop('number', 'Lines around each match'),
      '-n': prop('boolean', 'Show line numbers'),
      '-i': prop('boolean', 'Case insensitive search'),
      type: prop('string', 'File type to search'),
      head_limit: prop('number', 'Limit output to the first N lines'),
      multiline: prop('boolean', 'Enable multiline mode'),
    },
    ['pattern'],
  ),
  tool('ExitPlanMode', { plan: prop('string', 'The plan to run') }, ['plan']),
  tool(
    'Read',
    {
      file_path: prop('string', 'The absolute path to the file to read'),
      offset: prop('number', 'The line number to start reading from'),
      limit: prop('number', 'The number of lines to read'),
    },
    ['file_path'],
  ),
  tool(
    'Edit',
    {
      file_path: prop('string', 'The absolute path to the file to modify'),
      ...EDIT.properties,
    },
    ['file_path', 'old_string', 'new_string'],
  ),
  tool(
    'MultiEdit',
    {
      file_path: prop('string', 'The absolute path to the file to modify'),
      edits: { type: 'array', items: EDIT, minItems: 1, description: 'Edits to perform in order' },
    },
    ['file_path', 'edits'],
  ),
  tool(
    'Write',
    {
      file_path: prop('string', 'The absolute path to the file to write'),
      content: prop('string', 'The content to write'),
    },
    ['file_path', 'content'],
  ),
  tool(
    'NotebookEdit',
    {
      notebook_path: prop('string', 'The absolute path to the notebook'),
      cell_id: prop('string', 'The ID of the cell to edit'),
      new_source: prop('string', 'The new source for the cell'),
      cell_type: { type: 'string', enum: ['code', 'markdown'] },
      edit_mode: { type: 'string', enum: ['replace', 'insert', 'delete'] },
    },
    ['notebook_path', 'new_source'],
  ),
  tool(
    'WebFetch',
    {
      url: prop('string', 'The URL to fetch content from', { format: 'uri' }),
      prompt: prop('string', 'The prompt to run on the fetched content'),
    },
    ['url', 'prompt'],
  ),
  tool('TodoWrite', { todos: { type: 'array', items: TODO, description: 'The updated todo list' } }, [
    'todos',
  ]),
  tool(
    'WebSearch',
    {
      query: prop('string', 'The search query to use', { minLength: 2 }),
      allowed_domains: { type: 'array', items: { type: 'string' }, description: 'Only these domains' },
      blocked_domains: { type: 'array', items: { type: 'string' }, description: 'Never these domains' },
    },
    ['query'],
  ),
  tool(
    'BashOutput',
    {
      bash_id: prop('string', 'The ID of the background shell'),
      filter: prop('string', 'Regular expression to filter the output lines'),
    },
    ['bash_id'],
  ),
  tool('KillShell', { shell_id: prop('string', 'The ID of the background shell to kill') }, ['shell_id']),
  tool('SlashCommand', { command: prop('string', 'The slash command to execute with its arguments') }, [
    'command',
  ]),
  tool('mcp__ide__getDiagnostics', { uri: prop('string', 'Optional file URI to get diagnostics for') }, []),
  tool('mcp__ide__executeCode', { code: prop('string', 'The code to be executed on the kernel') }, ['code']),
  tool(
    'mcp__github__create_issue',
    {
      owner: prop('string', 'Repository owner'),
      repo: prop('string', 'Repository name'),
      title: prop('string', 'Issue title'),
      body: prop('string', 'Issue body'),
      labels: { type: 'array', items: { type: 'string' } },
      assignees: { type: 'array', items: { type: 'string' } },
    },
    ['owner', 'repo', 'title'],
  ),
  tool(
    'mcp__github__search_code',
    {
      q: prop('string', 'Search query'),
      page: prop('number', 'Page number', { minimum: 1 }),
      per_page: prop('number', 'Results per page', { minimum: 1, maximum: 100 }),
    },
    ['q'],
  ),
]

const LINES = Array.from(
  { length: 40 },
  (_, i) => `${String(i + 1).padStart(6)}→  const value${i} = compute(${i})`,
)

/** One round: the assistant thinks, says a line and calls a tool; the user's next message is its result. */
function round(i: number) {
  const id = `toolu_01${String(i).padStart(22, 'A')}`
  const assistant = {
    role: 'assistant',
    content: [
      ...(i % 3 === 0
        ? [
            {
              type: 'thinking',
              thinking: `Step ${i}: look at the next file. `.repeat(8),
              signature: 'EqQBCkYI'.repeat(20),
            },
          ]
        : []),
      { type: 'text', text: `Let me look at part ${i} of the code.` },
      { type: 'tool_use', id, name: 'Read', input: { file_path: `/workspace/src/file-${i}.ts`, limit: 40 } },
    ],
  }
  const result = {
    type: 'tool_result',
    tool_use_id: id,
    content: i % 2 === 0 ? LINES.join('\n') : [{ type: 'text', text: LINES.join('\n') }],
    ...(i === 13 ? { is_error: true } : {}),
  }
  const user = {
    role: 'user',
    content:
      i === 13
        ? [result, { type: 'text', text: 'Try another file.', cache_control: { type: 'ephemeral' } }]
        : [result],
  }
  return [assistant, user]
}

/** A mid-session Claude Code request: 20 tools, 30 messages. */
export function claudeCodeSessionRequest() {
  return {
    model: 'claude-sonnet-4-5',
    messages: [
      {
        role: 'user',
        content: [
          {
            type: 'text',
            text: `<system-reminder>\n${'Context the user set up for this project. '.repeat(30)}\n</system-reminder>`,
          },
          {
            type: 'text',
            text: 'Find where the retry rules live and explain them.',
            cache_control: { type: 'ephemeral' },
          },
        ],
      },
      ...Array.from({ length: 14 }, (_, i) => round(i)).flat(),
      { role: 'assistant', content: [{ type: 'text', text: 'The retry rules live in dispatch.ts.' }] },
    ],
    temperature: 1,
    system: [
      {
        type: 'text',
        text: "You are Claude Code, Anthropic's official CLI for Claude.",
        cache_control: { type: 'ephemeral' },
      },
      {
        type: 'text',
        text: 'You are an interactive CLI tool that helps users with software engineering tasks. '.repeat(60),
        cache_control: { type: 'ephemeral' },
      },
    ],
    tools: TOOLS,
    metadata: { user_id: 'user_0123456789abcdef_account__session_6a1f2c3d' },
    max_tokens: 32000,
    thinking: { type: 'enabled', budget_tokens: 10000 },
    stream: true,
  }
}

/** One cached system block, one user text, one tool: the size of `bench/router.js`'s body. */
export const smallClaudeCodeRequest = {
  model: 'bench/gpt-bench',
  stream: true,
  max_tokens: 256,
  system: [{ type: 'text', text: 'You are a helpful assistant.', cache_control: { type: 'ephemeral' } }],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Say forty words.' }] }],
  tools: TOOLS.filter((t) => t.name === 'Read'),
}
