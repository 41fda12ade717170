/**
 * Each tool's own view in a real browser against the whole system (real Claude Code, the router, the scripted
 * model server): Bash as a terminal with ANSI colours and exit status, Write and Edit as diffs (unified and
 * side by side), the diff of a file a command changed, TaskCreate/TaskUpdate as one checklist updated in place,
 * a Task's subagent steps nested in its card, Read/Grep/Glob as compact lines, and copy buttons. Screenshots go
 * to test-artifacts/browser/.
 */
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../e2e/helpers.js'
import {
  openSystem,
  type SessionPage,
  type SystemPage,
  send,
  turn as turnOn,
} from '../fixtures/browser-page.js'
import {
  isAgentRequest,
  lastUserText,
  type RecordedRequest,
  type ScriptedTurn,
  workingDirectoryOf,
} from '../fixtures/scripted-model-server.js'

const dir = tempDir('ar-tools-browser-')

let view: SystemPage
let page: Page
let pageErrors: string[] = []
let shot: SessionPage['shot']
const turn = (text: string, answer: string) => turnOn(page, text, answer)

/** How many model answers this prompt has had so far in the request (its step in a scripted sequence). */
function step(request: RecordedRequest): number {
  const messages = (request.body.messages ?? []) as { role?: string; content?: unknown }[]
  let lastUser = -1
  messages.forEach((m, i) => {
    const text = typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '')
    if (m.role === 'user' && !/^\s*(<system-reminder>[\s\S]*<\/system-reminder>\s*)*$/.test(text))
      lastUser = i
  })
  return messages.slice(lastUser + 1).filter((m) => m.role === 'assistant').length
}

/**
 * Claude Code keeps its checklist with TaskCreate and TaskUpdate (TodoWrite is off whenever they are on). They are
 * deferred tools: named in the prompt, their schemas loaded with ToolSearch before the first call.
 */
const TASK_TOOLS = ['TaskCreate', 'TaskUpdate']
/** How long the checklist's steps wait, so the test sees the list before each update. */
const PLAN_STEP_MS = 1500

/** Each prompt is a script of tool calls, one per step, then a last answer. */
function script(said: string, cwd: string): ScriptedTurn[] | undefined {
  const file = join(cwd, 'notes.md')
  if (said === 'terminal please')
    return [
      {
        toolCalls: [
          {
            name: 'Bash',
            arguments: {
              command: "printf '\\033[32mgreen ok\\033[0m plain \\033[1;31mbold red\\033[0m\\n'",
              description: 'Print in colour',
            },
          },
        ],
      },
      { toolCalls: [{ name: 'Bash', arguments: { command: 'ls /no-such-dir-here' } }] },
      { text: 'Ran both commands.' },
    ]
  if (said === 'files please')
    return [
      {
        toolCalls: [
          { name: 'Write', arguments: { file_path: file, content: '# Notes\n\nfirst\nsecond\nthird\n' } },
        ],
      },
      {
        toolCalls: [
          {
            name: 'Edit',
            arguments: { file_path: file, old_string: 'second', new_string: 'the second, edited' },
          },
        ],
      },
      { text: 'Wrote and edited notes.md.' },
    ]
  if (said === 'commands please')
    return [
      {
        toolCalls: [
          {
            name: 'Bash',
            arguments: {
              command:
                "sed -i 's/^third$/the third, by sed/' notes.md && printf 'made\\nby printf\\n' > made.txt && " +
                "printf 'PNG\\000\\001' > logo.png",
              description: 'Change files by commands',
            },
          },
        ],
      },
      { text: 'Changed them by commands.' },
    ]
  if (said === 'plan please')
    return [
      { toolCalls: [{ name: 'ToolSearch', arguments: { query: `select:${TASK_TOOLS.join(',')}` } }] },
      {
        toolCalls: [
          {
            name: 'TaskCreate',
            arguments: {
              subject: 'Write the notes',
              description: 'notes.md',
              activeForm: 'Writing the notes',
            },
          },
          {
            name: 'TaskCreate',
            arguments: {
              subject: 'Check the notes',
              description: 'Read them',
              activeForm: 'Checking the notes',
            },
          },
        ],
      },
      { toolCalls: [{ name: 'TaskUpdate', arguments: { taskId: '1', status: 'in_progress' } }] },
      {
        delayMs: PLAN_STEP_MS,
        toolCalls: [
          { name: 'TaskUpdate', arguments: { taskId: '1', status: 'completed' } },
          { name: 'TaskUpdate', arguments: { taskId: '2', status: 'in_progress' } },
        ],
      },
      { delayMs: PLAN_STEP_MS, text: 'Planned.' },
    ]
  if (said === 'delegate please')
    return [
      {
        toolCalls: [
          {
            name: 'Task',
            arguments: {
              description: 'Find the notes',
              prompt: 'SUBTASK find the markdown files',
              subagent_type: 'general-purpose',
              run_in_background: false,
            },
          },
        ],
      },
      { text: 'The subagent found them.' },
    ]
  if (said === 'SUBTASK find the markdown files')
    return [{ toolCalls: [{ name: 'Glob', arguments: { pattern: '*.md' } }] }, { text: 'Found notes.md.' }]
  if (said === 'code please') return [{ text: 'Run this:\n\n```sh\nnpm test -- --watch\n```\n\nThen wait.' }]
  if (said === 'look please')
    return [
      {
        toolCalls: [
          { name: 'Read', arguments: { file_path: file } },
          { name: 'Grep', arguments: { pattern: 'edited', path: cwd } },
        ],
      },
      { text: 'Looked.' },
    ]
  return undefined
}

const card = (tool: string) => page.locator(`[data-testid="tool-card"][data-tool="${tool}"]`)

beforeAll(async () => {
  view = await openSystem(dir, 'tool-views', (request) => {
    if (!isAgentRequest(request)) return { text: 'Tool views' }
    const said = lastUserText(request)
    const steps = script(said, workingDirectoryOf(request) ?? '')
    if (steps === undefined) return { text: `You said: ${said}` }
    return steps[Math.min(step(request), steps.length - 1)]!
  })
  ;({ page, shot, errors: pageErrors } = view)
}, 120_000)

afterAll(() => view?.close())

const clipboard = () => page.evaluate(() => navigator.clipboard.readText())

describe('tool views', { timeout: 120_000 }, () => {
  it('shows Bash as a terminal with colours and the exit status, and copies the command', async () => {
    await turn('terminal please', 'Ran both commands.')
    const [ok, failed] = [card('Bash').first(), card('Bash').nth(1)]
    const out = ok.getByTestId('terminal-output')
    await out.locator('.ansi-green').filter({ hasText: 'green ok' }).waitFor()
    expect(await out.locator('.ansi-red.ansi-bold').textContent()).toBe('bold red')
    expect(await out.textContent()).toBe('green ok plain bold red')
    expect(await ok.locator('.term-exit').textContent()).toBe('exit 0')
    expect(await ok.locator('.term-desc').textContent()).toBe('Print in colour')
    expect(await failed.locator('.term-exit').textContent()).toBe('exit 2')
    expect(await failed.getByTestId('terminal-output').textContent()).toContain('No such file or directory')
    expect(await failed.getAttribute('class')).toContain('tool-error')
    await ok.getByRole('button', { name: 'Copy the command' }).click()
    expect(await clipboard()).toContain('printf')
    await ok.getByRole('button', { name: 'Copied' }).waitFor()
    await shot('30-bash-terminal')
  })

  it('shows a Write and an Edit as the diffs they made, unified or side by side', async () => {
    await turn('files please', 'Wrote and edited notes.md.')
    const write = card('Write').getByTestId('tool-diff')
    expect(await write.locator('.diff-add').count()).toBe(5)
    expect(await write.locator('.diff-stat').textContent()).toContain('New file')
    const edit = card('Edit').getByTestId('tool-diff')
    // Claude Code's own patch of the change: real line numbers, with context around it.
    await edit.locator('.diff-del').filter({ hasText: 'second' }).waitFor()
    expect(await edit.locator('.diff-add').textContent()).toContain('the second, edited')
    expect(await edit.locator('.diff-del .diff-no').first().textContent()).toBe('4')
    expect(await edit.locator('.diff-same').count()).toBeGreaterThan(0)
    // Highlighted as markdown (the file's language).
    expect(await write.locator('.hljs-section').count()).toBeGreaterThan(0)
    await shot('31-edit-diff-unified')
    await edit.getByRole('button', { name: 'Side by side' }).click()
    const pair = edit.locator('.diff-pair').filter({ hasText: 'the second, edited' })
    expect(await pair.locator('.diff-half').first().textContent()).toContain('second')
    expect(await pair.locator('.diff-half.diff-add').textContent()).toContain('the second, edited')
    // The choice holds for every diff, and after a reload.
    await write.getByRole('button', { name: 'Unified' }).waitFor()
    await shot('32-edit-diff-split')
    await edit.getByRole('button', { name: 'Copy the diff' }).click()
    expect(await clipboard()).toContain('+the second, edited')
    await edit.getByRole('button', { name: 'Unified' }).click()
  })

  it("opens a changed file on the last turn's changes, and its content a click away", async () => {
    await page
      .locator('.file-chips')
      .getByRole('button', { name: /notes\.md/ })
      .last()
      .click()
    const changes = page.getByTestId('viewer-changes')
    await changes.locator('.diff-add').filter({ hasText: 'the second, edited' }).waitFor()
    // The Write that made it, then the Edit: the file against the turn before.
    expect(await changes.locator('.diff-stat').allTextContents()).toEqual([
      '+5 −0 · Write (new file) 1 of 2',
      '+1 −1 · Edit 2 of 2',
    ])
    await shot('31b-file-changes')
    await page.getByRole('button', { name: 'Content' }).click()
    await page.getByTestId('viewer-code').filter({ hasText: 'the second, edited' }).waitFor()
    await page.getByRole('button', { name: 'Close file' }).click()
  })

  it("shows what a command changed in a file as a diff, inline and in the file's changes", async () => {
    await turn('commands please', 'Changed them by commands.')
    const chips = page.locator('.file-changes').last()
    expect(await chips.locator('.chip-note').allTextContents()).toEqual(['binary file, no diff'])
    const toggles = chips.getByTestId('file-change-toggle')
    expect(await toggles.allTextContents()).toEqual([
      '+2 −0 show the diff of made.txt',
      '+1 −1 show the diff of notes.md',
    ])
    await toggles.last().click()
    const diff = chips.getByTestId('file-change-diff')
    await diff.locator('.diff-add').filter({ hasText: 'the third, by sed' }).waitFor()
    expect(await diff.locator('.diff-del').textContent()).toContain('third')
    expect(await diff.locator('.diff-stat').textContent()).toBe('+1 −1 · notes.md · changed by a command')
    // Against the file as the turn before left it: real line numbers, context around the change.
    expect(await diff.locator('.diff-del .diff-no').first().textContent()).toBe('5')
    expect(await diff.locator('.diff-same').count()).toBeGreaterThan(0)
    await diff.scrollIntoViewIfNeeded()
    await shot('31c-command-diff-inline')
    await chips.locator('.chip', { hasText: 'notes.md' }).click()
    const changes = page.getByTestId('viewer-changes')
    await changes.locator('.diff-add').filter({ hasText: 'the third, by sed' }).waitFor()
    expect(await changes.locator('.diff-stat').allTextContents()).toEqual(['+1 −1 · Changed by a command'])
    await shot('31d-command-file-changes')
    await page.getByRole('button', { name: 'Close file' }).click()
    // The diff is in the event log: it is there after a reload.
    await page.reload()
    const again = page.locator('.file-changes').last()
    await again.getByTestId('file-change-toggle').last().click()
    await again
      .getByTestId('file-change-diff')
      .locator('.diff-add')
      .filter({ hasText: 'the third, by sed' })
      .waitFor()
  })

  it('shows the TaskCreate and TaskUpdate calls of a turn as one checklist, updated in place', async () => {
    await send(page, 'plan please')
    const checklist = card('TaskCreate')
    const statuses = () =>
      checklist
        .getByTestId('todo-list')
        .locator('li')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))
    await expect.poll(statuses, { timeout: 30_000 }).toEqual(['in_progress', 'pending'])
    expect(await checklist.locator('.tool-summary').textContent()).toBe('0 of 2 done · Writing the notes')
    await shot('33a-task-checklist-started')
    await expect.poll(statuses, { timeout: 30_000 }).toEqual(['completed', 'in_progress'])
    await page.getByTestId('assistant-message').filter({ hasText: 'Planned.' }).waitFor()
    await page.getByTestId('working').waitFor({ state: 'detached' })
    // Every call of the turn updated the one card; none failed.
    expect(await page.locator('[data-testid="tool-card"][data-tool^="Task"]').count()).toBe(1)
    expect(await checklist.getAttribute('class')).not.toContain('tool-error')
    expect(await checklist.locator('.todo-in_progress').textContent()).toContain('Checking the notes')
    expect(await checklist.locator('.tool-summary').textContent()).toBe('1 of 2 done · Checking the notes')
    expect(await checklist.locator('.tool-name').textContent()).toBe('Checklist')
    // Loading the task tools' schemas is one closed line that names them.
    const search = card('ToolSearch')
    expect(await search.locator('.tool-summary').textContent()).toBe('TaskCreate, TaskUpdate')
    expect(await search.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false)
    await shot('33-task-checklist')
    // On a model Claude Code does not know by name, the task tools were offered, with the schemas used above.
    const offered = view.scripted.requests
      .filter(isAgentRequest)
      .flatMap((r) => r.body.tools as { function: { name: string; parameters: { required?: string[] } } }[])
      .filter((t) => TASK_TOOLS.includes(t.function.name))
    expect(offered.find((t) => t.function.name === 'TaskCreate')?.function.parameters.required).toEqual([
      'subject',
      'description',
    ])
    expect(offered.find((t) => t.function.name === 'TaskUpdate')?.function.parameters.required).toEqual([
      'taskId',
    ])
    // And the model was told what its ToolSearch loaded.
    const toolMessages = view.scripted.requests
      .flatMap((r) => (r.body.messages ?? []) as { role: string; content?: unknown }[])
      .filter((m) => m.role === 'tool')
    expect(toolMessages.map((m) => m.content)).toContain(
      '[tool loaded: TaskCreate]\n[tool loaded: TaskUpdate]',
    )
  })

  it("nests a subagent's steps in its Task card", async () => {
    await turn('delegate please', 'The subagent found them.')
    const task = card('Task')
    expect(await task.locator(':scope > summary .tool-summary').textContent()).toBe('Find the notes')
    const inner = task.getByTestId('task').locator('[data-testid="tool-card"][data-tool="Glob"]')
    await inner.waitFor()
    // The subagent's call is inside the Task, not a card of its own in the conversation.
    expect(await page.locator('.conversation > [data-tool="Glob"]').count()).toBe(0)
    expect(await task.locator('.task-answer').textContent()).toContain('Found notes.md.')
    await task.getByText('Asked the general-purpose agent').click()
    await shot('34-task-nested')
  })

  it('keeps Read and Grep to one closed line each, their output inside', async () => {
    await turn('look please', 'Looked.')
    for (const tool of ['Read', 'Grep']) {
      const c = card(tool)
      expect(await c.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false)
      expect(await c.locator('.tool-size').textContent()).toMatch(/^\d+ lines?$/)
    }
    await card('Read').locator('summary').click()
    expect(await card('Read').locator('.tool-output pre').textContent()).toContain('the second, edited')
    await shot('35-compact-read-grep')
    expect(pageErrors).toEqual([])
  })

  it('opens and closes tool cards and reaches their buttons from the keyboard', async () => {
    const read = card('Read')
    await read.locator('summary').focus()
    await page.keyboard.press('Enter')
    expect(await read.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false)
    await page.keyboard.press('Enter')
    expect(await read.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(true)
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Copy the output',
    )
    await page.keyboard.press('Enter')
    expect(await clipboard()).toContain('the second, edited')
  })

  it('reads well in dark mode', async () => {
    await page.emulateMedia({ colorScheme: 'dark' })
    await card('Edit').scrollIntoViewIfNeeded()
    await shot('37-dark-diff')
    await card('Bash').first().scrollIntoViewIfNeeded()
    await shot('38-dark-terminal')
    await page.getByTestId('file-change-diff').scrollIntoViewIfNeeded()
    await shot('39-dark-command-diff')
    await page.emulateMedia({ colorScheme: 'light' })
  })

  it('copies a message and a code block', async () => {
    const message = page.getByTestId('assistant-message').filter({ hasText: 'Looked.' })
    await message.hover()
    await message.getByRole('button', { name: 'Copy the message' }).click()
    expect(await clipboard()).toBe('Looked.')
    await turn('code please', 'Then wait.')
    const block = page.getByTestId('assistant-message').last().locator('.code-block')
    await block.getByRole('button', { name: 'Copy the code' }).click()
    expect(await clipboard()).toBe('npm test -- --watch')
    await block.getByText('Copied').waitFor()
    await shot('36-copy-code')
  })
})
