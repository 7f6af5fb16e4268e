import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Host code imports `vscode`, which only exists inside VS Code: unit tests get a small fake.
  resolve: { alias: { vscode: fileURLToPath(new URL('./test/unit/host/vscode-fake.ts', import.meta.url)) } },
  test: {
    include: ['test/unit/**/*.test.ts', 'test/interop/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
