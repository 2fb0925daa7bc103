import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { EdgeDbError } from '../../../src/errors/edge-db-error.js';
import {
  importOptionalDependency,
  optionalDependencyError,
} from '../../../src/testing/import-optional-dependency.js';

// Node's own errors for a package that is not installed: ESM `import()` and CommonJS `require()`.
const missingName = 'edge-db-no-such-package';

describe('importOptionalDependency', () => {
  it('turns a missing package (ESM import) into TESTING_SETUP_FAILED with the install command', async () => {
    const failure = await importOptionalDependency(
      () => import(/* @vite-ignore */ missingName),
      missingName,
      'startSomething()',
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EdgeDbError);
    expect(failure).toMatchObject({
      code: 'TESTING_SETUP_FAILED',
      message: `edge-db: startSomething() needs the package \`${missingName}\`, which is not installed. Install it as a dev dependency: \`npm install -D ${missingName}\`.`,
    });
    expect((failure as EdgeDbError).cause).toMatchObject({ code: expect.stringMatching(/MODULE_NOT_FOUND/) });
  });

  it('gives the same hint for a missing package loaded with require()', () => {
    let thrown: unknown;
    try {
      createRequire(import.meta.url)(missingName);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'MODULE_NOT_FOUND' });
    expect(optionalDependencyError(thrown, missingName, 'The libSQL test bed').message).toContain(
      `\`npm install -D ${missingName}\``,
    );
  });

  it('keeps the message of a package that is installed but broken (a dependency of it is missing)', () => {
    const broken = Object.assign(new Error("Cannot find package 'undici' imported from /x/pg/index.js"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const error = optionalDependencyError(broken, 'pg', 'startNeonProxy()');
    expect(error.message).toBe(
      "edge-db: startNeonProxy() could not load `pg`: Cannot find package 'undici' imported from /x/pg/index.js",
    );
    expect(error.cause).toBe(broken);
  });

  it('returns the module when it loads', async () => {
    const module = await importOptionalDependency(() => import('node:path'), 'path', 'x');
    expect(typeof module.join).toBe('function');
  });
});
