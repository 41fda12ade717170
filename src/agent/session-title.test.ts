import { describe, expect, it } from 'vitest'
import { SqliteSessionStore } from '../store/sqlite-store.js'
import { cleanTitle, firstMessageTitle, retitle, TITLE_CHARS, titlePrompt } from './session-title.js'

describe('session titles', () => {
  it('names a session by its first message on one line until a better title comes', () => {
    expect(firstMessageTitle('  Fix the\n\nparser  please ')).toBe('Fix the parser please')
    expect(firstMessageTitle('x'.repeat(200))).toHaveLength(TITLE_CHARS)
  })

  it('asks for a short title from the first exchange, clipping long messages', () => {
    const prompt = titlePrompt('y'.repeat(5000), 'Done.')
    expect(prompt).toContain('three to six words')
    expect(prompt).toContain(`User: ${'y'.repeat(2000)}…`)
    expect(prompt).toContain('Assistant: Done.')
  })

  it("keeps the first line of the model's answer, without quotes, a label or a full stop", () => {
    expect(cleanTitle('"Parser bracket fix."\nMore text')).toBe('Parser bracket fix')
    expect(cleanTitle('Title: **Deploy to staging**')).toBe('Deploy to staging')
    expect(cleanTitle('\n\n  Résumé du projet  ')).toBe('Résumé du projet')
    expect(cleanTitle(' \n"" ')).toBeUndefined()
  })
})

describe('retitle', () => {
  it('never throws: a failing model or a closed store leave the title as it is', async () => {
    const store = new SqliteSessionStore(':memory:')
    store.ensureSession('s')
    store.updateSession('s', { title: 'Hi' })
    const turn = { content: 'Hi', answer: 'Hello', model: 'm', onTitled: () => {} }
    await retitle(store, 's', () => Promise.reject(new Error('502')), turn)
    expect(store.getSession('s')?.title).toBe('Hi')
    await retitle(
      store,
      's',
      async () => {
        store.close()
        return 'Greeting'
      },
      turn,
    )
  })
})
