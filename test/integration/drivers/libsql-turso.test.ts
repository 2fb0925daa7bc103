import { describe, it } from 'vitest';
import { describeLibsqlKysely } from './libsql-kysely-suite.js';

// The same Kysely suite as against the local cluster, run against a real Turso (sqld) database when one is
// configured. It creates and drops the tables `person` and `sample`: use a scratch database.
const url = process.env.TURSO_DATABASE_URL;
const authToken = process.env.TURSO_AUTH_TOKEN;

if (url === undefined) {
  console.log('libsql-turso: skipping the real Turso suite: set TURSO_DATABASE_URL (and TURSO_AUTH_TOKEN).');
  describe.runIf(false)('a real Turso database', () => {
    it('needs TURSO_DATABASE_URL', () => undefined);
  });
} else {
  describeLibsqlKysely('a real Turso database', {
    enforcesReadOnlyTransactions: true,
    primary: () => ({ url, ...(authToken === undefined ? {} : { authToken }) }),
  });
}
