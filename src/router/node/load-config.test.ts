import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { configError } from '../__fixtures__/harness.js'
import { PROVIDER_NAMES } from '../config/provider-names.js'
import { loadRouterConfig } from './load-config.js'

const SEED = `
model_list:
  - model_name: openrouter/*
    litellm_params:
      model: openrouter/*
  - model_name: groq/*
    litellm_params:
      model: groq/*
`

describe('loadRouterConfig', () => {
  it('loads a file, and the built-in default when no path is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'router-config-'))
    const path = join(dir, 'litellm_config.yaml')
    writeFileSync(path, SEED)
    expect(loadRouterConfig(path).model_list).toHaveLength(2)
    expect(configError(() => loadRouterConfig(join(dir, 'missing.yaml')))).toContain('missing.yaml')
    expect(loadRouterConfig(undefined).model_list.map((m) => m.model_name)).toEqual(
      PROVIDER_NAMES.map((prefix) => `${prefix}/*`),
    )
  })
})
