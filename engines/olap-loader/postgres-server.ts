// Finding the PostgreSQL server the postgres target loads into: `--engine-option postgres.url=…`, else
// $ENGINEBENCH_PG_URL, else the project's own loopback server started by scripts/postgres.sh. Never installs
// packages itself (that takes minutes and root): an uninstalled server is reported, with what to run.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export type ServerCheck = { readonly ok: true; readonly url: string } | { readonly ok: false; readonly reason: string };

/** The project's script: `start` prints the URL of a running server (port 54329, trust auth). */
export const POSTGRES_SCRIPT = fileURLToPath(new URL('../../scripts/postgres.sh', import.meta.url));
const START_TIMEOUT_MS = 90_000;
const CONNECT_TIMEOUT_MS = 5_000;

function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '').at(-1) ?? '';
}

/** Whether Debian's PostgreSQL server binaries are installed (what scripts/postgres.sh start needs). */
function serverInstalled(): boolean {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return false;
  return readdirSync(root).some((v) => existsSync(`${root}/${v}/bin/pg_ctl`));
}

function runScript(arg: 'start'): Promise<ServerCheck> {
  return new Promise((resolve) => {
    execFile('bash', [POSTGRES_SCRIPT, arg], { timeout: START_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) {
        const why = firstLine(String(stderr)) || err.message.split('\n')[0]!;
        resolve({ ok: false, reason: `scripts/postgres.sh ${arg} failed: ${why}` });
        return;
      }
      const url = firstLine(String(stdout));
      resolve(url.startsWith('postgres') ? { ok: true, url } : { ok: false, reason: `scripts/postgres.sh ${arg} printed no URL (got '${url}')` });
    });
  });
}

/** Connect once and run SELECT 1, so "available" means a query can actually run. */
async function probe(url: string): Promise<ServerCheck> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on('error', () => {}); // a dropped probe connection must not crash the process
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true, url };
  } catch (e) {
    return { ok: false, reason: `cannot connect to PostgreSQL at ${url}: ${firstLine(String((e as Error).message)) || String(e)}` };
  } finally {
    await client.end().catch(() => {});
  }
}

const checks = new Map<string, Promise<ServerCheck>>();

/**
 * The URL of a PostgreSQL server that answers queries, or the exact reason there is none. Cached per process
 * (the script is idempotent, but starting a server takes seconds).
 * @example const server = await findPostgres({}); if (server.ok) new pg.Client({ connectionString: server.url })
 */
export function findPostgres(options: Readonly<Record<string, string | number | boolean>>): Promise<ServerCheck> {
  const explicit = options['postgres.url'] ?? process.env['ENGINEBENCH_PG_URL'];
  const key = explicit === undefined ? '<script>' : String(explicit);
  let check = checks.get(key);
  if (!check) {
    check = (async (): Promise<ServerCheck> => {
      if (explicit !== undefined) return probe(String(explicit));
      if (!serverInstalled()) {
        return {
          ok: false,
          reason:
            'PostgreSQL is not installed: run `scripts/postgres.sh start` (installs Debian\'s postgresql, starts it on 127.0.0.1:54329) ' +
            'or pass --engine-option postgres.url=postgres://user@host:port/db',
        };
      }
      const started = await runScript('start');
      return started.ok ? probe(started.url) : started;
    })();
    checks.set(key, check);
  }
  return check;
}
