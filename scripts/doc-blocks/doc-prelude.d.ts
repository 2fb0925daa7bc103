// Names the code blocks of README.md and docs/*.md use without declaring them: the app's schema, a Worker's
// `Env` and `ExecutionContext`, and the usual variables of a snippet (`db`, `env`, `request`, ...).
// Blocks are modules, so a block that declares one of these names itself shadows it. This file is a script
// (no top-level import), so its declarations are global and `declare module` declares whole modules.

/** The example app's tables. */
interface Database {
  post: { id: import('kysely').Generated<number>; title: string; body: string };
  comment: { id: import('kysely').Generated<number>; text: string };
  person: { id: import('kysely').Generated<number>; name: string };
  product: { id: import('kysely').Generated<number>; name: string; price: number };
  cart: { id: import('kysely').Generated<number>; person_id: number; product_id: number };
  account: { id: import('kysely').Generated<number>; balance: number };
  sale: { id: import('kysely').Generated<number>; amount: number };
  order: { id: import('kysely').Generated<number>; total: number };
}
type DB = Database;

/** Cloudflare's Hyperdrive binding (as in @cloudflare/workers-types). */
interface Hyperdrive {
  readonly connectionString: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** The Worker's bindings and secrets the snippets read. */
interface Env {
  readonly PRIMARY_URL: string;
  readonly REPLICA_URL: string;
  readonly REPLICA_1_URL: string;
  readonly REPLICA_2_URL: string;
  readonly EU_URL: string;
  readonly AP_URL: string;
  readonly DATABASE_URL: string;
  readonly TOKEN_SECRET: string;
  readonly LIBSQL_URL: string;
  readonly LIBSQL_TOKEN: string;
  readonly LIBSQL_EU_URL: string;
  readonly LIBSQL_AP_URL: string;
  readonly HYPERDRIVE_PRIMARY: Hyperdrive;
  readonly HYPERDRIVE_EU: Hyperdrive;
  readonly HYPERDRIVE_AP: Hyperdrive;
}

/** A Worker's `ctx` (as in @cloudflare/workers-types). */
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
}

/** Deno's namespace, as far as the snippets use it. */
declare const Deno: {
  readonly env: { get(name: string): string | undefined; toObject(): Record<string, string> };
};

declare const db: import('kysely').Kysely<Database>;
declare const env: Env;
declare const ctx: ExecutionContext;
declare const request: Request;
declare const primary: import('edge-db').Backend;
declare const replicas: readonly import('edge-db').Backend[];

// Deno's npm specifiers resolve to the same packages.
declare module 'npm:kysely' {
  export * from 'kysely';
}
declare module 'npm:edge-db' {
  export * from 'edge-db';
}
declare module 'npm:edge-db/neon' {
  export * from 'edge-db/neon';
}
declare module 'npm:edge-db/libsql' {
  export * from 'edge-db/libsql';
}
