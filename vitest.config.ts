import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Each test file hosts the functions in its own process (their configuration is read at import, as on Lambda).
    pool: 'forks',
    isolate: true,
    // A test without an assertion proves nothing: fail it.
    expect: { requireAssertions: true },
    testTimeout: 30_000,
    hookTimeout: 90_000,
    env: {
      JWT_SECRET: 'unit-test-secret-that-is-at-least-32-bytes',
      LOG_LEVEL: 'warn',
    },
  },
});
