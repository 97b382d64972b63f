// JavaScript UDFs the way ClickHouse runs any user code: as executable UDFs. Each distinct (function, signature)
// becomes a node script in user_scripts_path plus an XML declaration matched by the
// user_defined_executable_functions_config glob; ClickHouse pipes argument rows to the script as JSONEachRow.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertNever, type DataType, type ScalarUdf } from '../../plan/types.ts';
import { udfWireType } from './sql.ts';

/**
 * `executable_pool`: ClickHouse keeps up to pool_size (16) processes per function alive across blocks and queries.
 * `executable` starts one process per block (up to ~65k rows) instead: measured 3-4× slower at 1e6 rows (README.md).
 */
export const UDF_TYPE: 'executable' | 'executable_pool' = 'executable_pool';

/**
 * Settings every query that may call a UDF needs, because they shape the JSON the scripts read: 64-bit integers
 * quoted (a JSON number above 2^53 loses digits in JSON.parse) and NaN/±inf as "nan"/"inf"/"-inf" (else null).
 */
export const UDF_FORMAT_SETTINGS = 'output_format_json_quote_64bit_integers = 1, output_format_json_quote_denormals = 1';

/** Where a session's UDFs live: both paths are fixed when the chDB session is created. */
export interface UdfDirectories {
  /** `user_scripts_path`: the scripts ClickHouse may execute. */
  readonly scripts: string;
  /** Holds the `*.xml` declarations the config glob matches. */
  readonly config: string;
}

/** The chDB connection arguments that make ClickHouse look for executable UDFs in `dirs`. */
export function udfConnectionArgs(dirs: UdfDirectories): string[] {
  return [`--user_scripts_path=${dirs.scripts}`, `--user_defined_executable_functions_config=${join(dirs.config, '*.xml')}`];
}

/**
 * The JS expression turning one JSON field into the value the function receives: the contract's representation
 * (plan/types.ts ARROW_TYPE_OF; int64 as bigint, timestamps as epoch ms), exactly what DuckDB's UDFs get.
 */
function decoder(type: DataType, v: string): string {
  switch (type) {
    case 'int32':
    case 'utf8':
    case 'bool':
      return v;
    case 'int64':
      return `int64(${v})`;
    case 'timestamp':
      return `(${v} === null ? null : Number(int64(${v})))`;
    case 'float64':
      return `float64(${v})`;
    default:
      return assertNever(type, 'data type');
  }
}

/** The JS function (source) encoding a return value as a JSON value, with DuckDB's checks and messages. */
function encoder(type: DataType): string {
  const wrong = `wrong(v, ${JSON.stringify(type)})`;
  switch (type) {
    case 'int32':
      return `(v) => v == null ? 'null' : typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 2147483647 ? String(v) : ${wrong}`;
    case 'int64':
      return `(v) => v == null ? 'null' : (typeof v === 'bigint' && BigInt.asIntN(64, v) === v) || (typeof v === 'number' && Number.isSafeInteger(v)) ? '"' + v + '"' : ${wrong}`;
    case 'float64':
      return `(v) => v == null ? 'null' : typeof v !== 'number' ? ${wrong} : v !== v ? '"nan"' : v === Infinity ? '"inf"' : v === -Infinity ? '"-inf"' : Object.is(v, -0) ? '-0' : String(v)`;
    case 'utf8':
      return `(v) => v == null ? 'null' : typeof v === 'string' ? JSON.stringify(v) : ${wrong}`;
    case 'bool':
      return `(v) => v == null ? 'null' : typeof v === 'boolean' ? String(v) : ${wrong}`;
    case 'timestamp':
      // Milliseconds since the epoch, truncated as DuckDB does; sent as Int64 and turned into DateTime64 in SQL.
      return `(v) => { if (v == null) return 'null'; if (typeof v !== 'number' || !Number.isFinite(v)) return ${wrong}; const ms = BigInt(Math.trunc(v)); return BigInt.asIntN(64, ms) === ms ? '"' + ms + '"' : ${wrong}; }`;
    default:
      return assertNever(type, 'data type');
  }
}

/**
 * The script ClickHouse runs for `udf` over arguments of `argTypes`: reads `{"c1":…,"c2":…}` lines from stdin,
 * calls the function once per row and writes `{"result":…}` lines in the same order. Output is written once per
 * stdin chunk, never held back, so it serves both a process per block (`executable`, stdin closes after the block)
 * and a pooled process that sees block after block on one stdin (`executable_pool`). A function that throws or
 * returns a value of the wrong type ends the process with the message on stderr, which ClickHouse puts in the
 * query's error.
 */
export function udfScript(udf: ScalarUdf, argTypes: readonly DataType[], nodePath = process.execPath): string {
  const label = JSON.stringify(udf.name);
  const args = argTypes.map((t, i) => decoder(t, `r.c${i + 1}`)).join(', ');
  // A shebang takes one path without spaces; otherwise the first `node` on PATH runs the script.
  const shebang = /^[^\s]{1,120}$/.test(nodePath) ? nodePath : '/usr/bin/env node';
  return `#!${shebang}
// enginebench: JavaScript UDF ${label} (${argTypes.join(', ')}) -> ${udf.returnType}, as a ClickHouse executable UDF.
// Generated by engines/clickhouse/executable-udf.ts; JSONEachRow rows in on stdin, {"result": ...} rows out on stdout.
'use strict';
// tsx may wrap named inner functions in __name(fn, "name") calls; the function itself is all that is needed.
const __name = (f) => f;
const fn = (${String(udf.fn)});
const fail = (message) => {
  process.stderr.write(message.replace(/\\s+/g, ' ') + '\\n');
  process.exit(1);
};
const int64 = (v) => {
  if (v === null) return null;
  if (typeof v !== 'string') fail(${JSON.stringify(`UDF '${udf.name}' got an unquoted 64-bit integer: the query must set output_format_json_quote_64bit_integers = 1`)});
  return BigInt(v);
};
const float64 = (v) => (typeof v === 'string' ? (v === 'inf' || v === '+inf' ? Infinity : v === '-inf' ? -Infinity : Number(v)) : v);
const wrong = (v, type) => fail(${JSON.stringify(`UDF '${udf.name}' returned `)} + typeof v + ' ' + String(v).slice(0, 40) + ', declared ' + type);
const encode = ${encoder(udf.returnType)};
const apply = (r) => {
  let v;
  try {
    v = fn(${args});
  } catch (e) {
    fail(${JSON.stringify(`UDF '${udf.name}' threw: `)} + (e instanceof Error ? e.message : String(e)));
  }
  return '{"result":' + encode(v) + '}\\n';
};
// ClickHouse may stop reading early (e.g. a LIMIT was reached): that is not an error of the function.
process.stdout.on('error', () => process.exit(0));
let rest = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const text = rest + chunk;
  const end = text.lastIndexOf('\\n');
  if (end < 0) {
    rest = text;
    return;
  }
  rest = text.slice(end + 1);
  // One row per line (JSON escapes newlines inside strings), so the complete lines form one JSON array.
  const rows = JSON.parse('[' + text.slice(0, end).split('\\n').join(',') + ']');
  let out = '';
  for (const r of rows) out += apply(r);
  process.stdout.write(out);
});
process.stdin.on('end', () => {
  if (rest.trim() !== '') process.stdout.write(apply(JSON.parse(rest)));
});
`;
}

/** The XML declaring function `name` to ClickHouse: Nullable arguments c1..cn, JSONEachRow, the script to run. */
export function udfDeclaration(name: string, script: string, argTypes: readonly DataType[], returnType: DataType, type = UDF_TYPE): string {
  const args = argTypes.map((t, i) => `    <argument><type>Nullable(${udfWireType(t)})</type><name>c${i + 1}</name></argument>`);
  return `<functions>
  <function>
    <type>${type}</type>
    <name>${name}</name>
    <return_type>Nullable(${udfWireType(returnType)})</return_type>
${args.join('\n')}
    <format>JSONEachRow</format>
    <command>${script}</command>
    <execute_direct>1</execute_direct>
  </function>
</functions>
`;
}

/** A UDF whose source cannot run on its own in a script: the plan's fault, not ClickHouse's. */
export class UdfSourceError extends Error {
  override name = 'UdfSourceError';
}

/** Throws unless the function's source is an expression that stands on its own in the script (no method shorthand, no native code). */
function checkSource(udf: ScalarUdf): void {
  const source = String(udf.fn);
  let fn: unknown;
  try {
    fn = new Function('__name', `'use strict'; return (${source});`)((f: unknown) => f);
  } catch (e) {
    throw new UdfSourceError(`its source does not parse on its own (${(e as Error).message}); pass an arrow function or a function expression that captures no variables`);
  }
  if (typeof fn !== 'function') throw new UdfSourceError('its source does not evaluate to a function');
}

/**
 * A session's executable UDFs. Each distinct (function, argument types, return type) is written once — script,
 * then declaration, each under a temporary name and renamed — and loaded with `SYSTEM RELOAD FUNCTION`: chDB
 * reads the config glob when the session starts and on that statement, not before each query (checked on 26.7).
 * WARNING: one instance per chDB session; the names it hands out are unique only within that session.
 * @example
 *   const udfs = new ExecutableUdfs(dirs, (sql) => run(sql));
 *   const name = await udfs.register(expr, ['utf8']); // then SELECT name(...) in SQL
 */
export class ExecutableUdfs {
  private readonly names = new Map<ScalarUdf['fn'], Map<string, Promise<string>>>();
  private count = 0;

  constructor(
    private readonly dirs: UdfDirectories,
    private readonly command: (sql: string) => Promise<void>,
  ) {}

  /** Make `udf` callable from SQL with arguments of `argTypes`; resolves to its (unquoted) SQL name. */
  register(udf: ScalarUdf, argTypes: readonly DataType[]): Promise<string> {
    const signature = `${argTypes.join(',')}->${udf.returnType}`;
    const bySignature = this.names.get(udf.fn) ?? new Map<string, Promise<string>>();
    this.names.set(udf.fn, bySignature);
    let name = bySignature.get(signature);
    if (!name) {
      name = this.install(udf, argTypes);
      // A failed install is forgotten, so a later plan tries again rather than reusing the failure.
      name.catch(() => bySignature.delete(signature));
      bySignature.set(signature, name);
    }
    return name;
  }

  private async install(udf: ScalarUdf, argTypes: readonly DataType[]): Promise<string> {
    checkSource(udf);
    const name = `eb_udf_${++this.count}_${udf.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    const script = `${name}.mjs`;
    // The script first, so the declaration never names a file that is not there yet.
    writeAtomic(join(this.dirs.scripts, script), udfScript(udf, argTypes), 0o755);
    writeAtomic(join(this.dirs.config, `${name}.xml`), udfDeclaration(name, script, argTypes, udf.returnType), 0o644);
    await this.command(`SYSTEM RELOAD FUNCTION ${name}`);
    return name;
  }
}

/** Write `text` to `path` under a temporary name (which the `*.xml` glob does not match), then rename it. */
function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, path);
}
