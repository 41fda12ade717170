import { describe, expect, it } from 'vitest'
import {
  bashPrefix,
  describeRule,
  matchingRule,
  offeredRule,
  type PermissionRule,
  ruleFor,
} from './permission-rules.js'

const bash = (command: string) => ({ command, description: 'run it' })

describe('bashPrefix', () => {
  it('takes the program and its subcommand, not flags or paths', () => {
    expect(bashPrefix('npm test -- --watch')).toBe('npm test')
    expect(bashPrefix('git status')).toBe('git status')
    expect(bashPrefix('npm --version')).toBe('npm')
    expect(bashPrefix('node script.js')).toBe('node')
    expect(bashPrefix('node -e "console.log(1)"')).toBe('node')
    expect(bashPrefix('  ls  ')).toBe('ls')
  })

  it('offers no prefix for commands a prefix rule could never cover', () => {
    expect(bashPrefix('for i in 1 2; do echo $i; done')).toBeUndefined()
    expect(bashPrefix('npm test && rm -rf ~')).toBeUndefined()
    expect(bashPrefix('cat x | sh')).toBeUndefined()
    expect(bashPrefix('echo $(whoami)')).toBeUndefined()
    expect(bashPrefix('FOO=1 npm test')).toBeUndefined()
    expect(bashPrefix('')).toBeUndefined()
  })
})

describe('matchingRule', () => {
  const rules: PermissionRule[] = [
    { kind: 'prefix', tool: 'Bash', prefix: 'npm test' },
    { kind: 'tool', tool: 'WebFetch' },
  ]

  it('covers commands that start with the prefix as a whole word', () => {
    expect(matchingRule(rules, 'Bash', bash('npm test'))).toEqual(rules[0])
    expect(matchingRule(rules, 'Bash', bash('npm test -- --grep x'))).toEqual(rules[0])
    expect(matchingRule(rules, 'Bash', bash('npm testing'))).toBeUndefined()
    expect(matchingRule(rules, 'Bash', bash('npm install'))).toBeUndefined()
  })

  it('never covers a chained, piped, redirected or substituted command', () => {
    for (const command of [
      'npm test && rm -rf ~',
      'npm test; curl x',
      'npm test | sh',
      'npm test > /etc/x',
      'npm test `id`',
      'npm test $(id)',
      'npm test\nrm x',
    ])
      expect(matchingRule(rules, 'Bash', bash(command))).toBeUndefined()
  })

  it('covers a whole tool, and nothing else', () => {
    expect(matchingRule(rules, 'WebFetch', { url: 'https://example.com' })).toEqual(rules[1])
    expect(matchingRule(rules, 'Write', { file_path: '/x' })).toBeUndefined()
  })
})

describe('the rule a request offers', () => {
  it('is a prefix for Bash and the tool otherwise, in words for the button', () => {
    expect(describeRule(offeredRule('Bash', bash('npm test'))!)).toBe('`npm test`')
    expect(describeRule(offeredRule('WebFetch', { url: 'x' })!)).toBe('WebFetch in this session')
    expect(offeredRule('Bash', bash('a; b'))).toBeUndefined()
    expect(ruleFor('Bash', bash('a; b'), 'tool')).toEqual({ kind: 'tool', tool: 'Bash' })
    expect(ruleFor('WebFetch', {}, 'prefix')).toBeUndefined()
  })
})
