import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'drivers/neon/index': 'src/drivers/neon/index.ts',
    'drivers/libsql/index': 'src/drivers/libsql/index.ts',
    'testing/index': 'src/testing/index.ts',
    // Spawned as a child process by startLibsqlCluster (libSQL's embedded-replica sync blocks its thread).
    'testing/libsql/replica-entry': 'src/testing/libsql/replica-entry.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: ['src/index.ts', 'src/drivers/neon/index.ts', 'src/drivers/libsql/index.ts', 'src/testing/index.ts'] },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  splitting: false,
  treeshake: true,
  shims: true,
  external: ['kysely', '@libsql/client', '@neondatabase/serverless', 'libsql', 'pg', 'ws', 'lru-cache', 'testcontainers'],
});
