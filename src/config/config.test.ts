import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { environment, loadContainerConfig, loadRouterProcessConfig, loadServerConfig } from './config.js'
import { parseDuration } from './duration.js'

describe('loadServerConfig', () => {
  it('gives every setting its documented default', () => {
    const config = loadServerConfig({}, '/srv/app')
    expect(config).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      dataDir: '/srv/app/data',
      routerConfigPath: undefined,
      defaultModel: undefined,
      sandbox: 'auto',
      sleepAfterMs: 600_000,
      maxInstances: 8,
      poolSize: 1,
      authToken: undefined,
      permissionMode: 'acceptEdits',
    })
  })

  it('parses and resolves given values', () => {
    const config = loadServerConfig(
      {
        PORT: '9000',
        DATA_DIR: 'var',
        ROUTER_CONFIG: 'conf/litellm.yaml',
        SLEEP_AFTER: '90s',
        MAX_INSTANCES: '3',
        POOL_SIZE: '0',
        SANDBOX: 'none',
        AUTH_TOKEN: 'secret-token',
      },
      '/srv/app',
    )
    expect(config).toMatchObject({
      port: 9000,
      dataDir: '/srv/app/var',
      routerConfigPath: '/srv/app/conf/litellm.yaml',
      sleepAfterMs: 90_000,
      maxInstances: 3,
      poolSize: 0,
      sandbox: 'none',
      authToken: 'secret-token',
    })
  })

  it('names every bad value in one clear error', () => {
    expect(() =>
      loadServerConfig({ PORT: 'eighty', SANDBOX: 'docker', SLEEP_AFTER: 'soon', MAX_INSTANCES: '0' }),
    ).toThrow(/PORT.*SANDBOX.*SLEEP_AFTER.*MAX_INSTANCES/s)
    expect(() => loadServerConfig({ SLEEP_AFTER: 'soon' })).toThrow(
      "SLEEP_AFTER must be a duration like 30s, 10m or 1h (got 'soon')",
    )
    expect(() => loadServerConfig({ PORT: '70000' })).toThrow('PORT must be between 0 and 65535')
    expect(() => loadServerConfig({ POOL_SIZE: '-1' })).toThrow(
      'POOL_SIZE must be >= 0 (0 turns the warm pool off)',
    )
    expect(() => loadServerConfig({ POOL_SIZE: 'some' })).toThrow('POOL_SIZE must be a number')
  })

  it('treats an empty AUTH_TOKEN as unset', () => {
    expect(loadServerConfig({ AUTH_TOKEN: '  ' }).authToken).toBeUndefined()
  })
})

describe('other processes', () => {
  it('serves the router alone on port 4000 by default', () => {
    expect(loadRouterProcessConfig({}).port).toBe(4000)
  })

  it('reads the container settings', () => {
    const config = loadContainerConfig(
      { CONTAINER_SOCKET: '/run/c.sock', WORKSPACE_DIR: '/w', ANTHROPIC_AUTH_TOKEN: 't' },
      '/',
    )
    expect(config).toMatchObject({ socketPath: '/run/c.sock', workspaceDir: '/w', anthropicAuthToken: 't' })
  })
})

describe('environment', () => {
  it('reads .env under the real environment, real variables winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ar-env-'))
    try {
      writeFileSync(join(dir, '.env'), 'GROQ_API_KEY=from-file\nPORT=9999\n# comment\n')
      const env = environment({ PORT: '1234' }, dir)
      expect(env.GROQ_API_KEY).toBe('from-file')
      expect(env.PORT).toBe('1234')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['45', 45_000],
    ['1.5m', 90_000],
  ])('reads %s as %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms))
  it('rejects anything else', () => {
    expect(parseDuration('ten minutes')).toBeUndefined()
    expect(parseDuration('-5s')).toBeUndefined()
  })
})
