import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { describeLibsqlKysely } from './libsql-kysely-suite.js';

// The `createClient` option with Node's client and a `file:` URL (no server): every connection opens the file.
let dir = '';
describeLibsqlKysely('libsql driver over a file: URL', {
  setup: async () => {
    dir = await mkdtemp(join(tmpdir(), 'edge-db-libsql-'));
  },
  enforcesReadOnlyTransactions: false,
  primary: () => ({ url: `file:${join(dir, 'test.db')}`, createClient }),
  teardown: async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  },
});
