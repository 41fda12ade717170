import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Installs missing system packages the tests drive (chromium, …) when running as root with apt.
    globalSetup: ['test/setup/system-packages.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // End-to-end files each start real Claude Code processes; two cores are shared between them.
    maxWorkers: 2,
  },
})
