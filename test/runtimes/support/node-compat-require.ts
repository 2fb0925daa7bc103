import { builtinModules } from 'node:module';
import type { Plugin } from 'esbuild';

const NODE_BUILTINS = new Set(builtinModules);
const NAMESPACE = 'node-compat-require';

/**
 * An esbuild plugin that lets CommonJS packages (node-postgres) `require()` Node built-ins in an ES module
 * bundle for workerd with `nodejs_compat`, as Wrangler does.
 *
 * esbuild turns `require('events')` of an external module into a runtime `require` call, which fails in
 * workerd ("Dynamic require of "events" is not supported"): ES modules have no `require`. This plugin
 * resolves each such call to a tiny module that imports `node:<name>` (resolved by workerd's `nodejs_compat`)
 * and re-exports it as `module.exports`. Only `require` calls are touched; `import`s of built-ins are left to
 * the other plugins (which record them as external).
 *
 * ### Examples
 * ```ts
 * await bundleEntry(entry, RUNTIME_CONDITIONS.workerd, {
 *   external: ['cloudflare:sockets'],
 *   plugins: [nodeCompatRequirePlugin()],
 * })
 * ```
 */
export function nodeCompatRequirePlugin(): Plugin {
  return {
    name: NAMESPACE,
    setup(builder) {
      builder.onResolve({ filter: /^(node:)?[a-z_]+(\/[a-z_]+)?$/ }, (args) => {
        if (args.kind !== 'require-call') return undefined;
        const bare = args.path.startsWith('node:') ? args.path.slice(5) : args.path;
        return NODE_BUILTINS.has(bare) ? { path: bare, namespace: NAMESPACE } : undefined;
      });
      builder.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        // `default` is the module object CommonJS code expects; fall back to the namespace for modules
        // that have none.
        contents: `import * as builtin from ${JSON.stringify(`node:${args.path}`)};\nmodule.exports = builtin.default ?? builtin;\n`,
        loader: 'js',
        resolveDir: '/',
      }));
    },
  };
}
