// The machine and software a run measured, recorded in every results file so numbers can be compared fairly.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import type { EngineDescriptor } from '../engines/engine.ts';
import type { Environment } from './results.ts';

/** The harness's own dependencies whose versions shape the numbers. */
const HARNESS_PACKAGES = ['tinybench', 'apache-arrow', 'tsx', 'typescript'];

function packageVersion(name: string): string | null {
  try {
    const require = createRequire(import.meta.url);
    // Resolve the package.json next to the entry point: some packages do not export './package.json'.
    let dir = require.resolve(name);
    for (let i = 0; i < 6; i++) {
      dir = dir.slice(0, dir.lastIndexOf('/'));
      try {
        const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name && pkg.version) return pkg.version;
      } catch {
        // keep walking up
      }
    }
  } catch {
    // not installed
  }
  return null;
}

/** The checked-out commit, or null outside a git checkout (read-only: `git rev-parse HEAD`). */
export function gitCommit(cwd = process.cwd()): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || null;
  } catch {
    return null;
  }
}

/**
 * Describe this machine, the engines' package versions (from each descriptor's `versions(options)`, so an engine
 * reached through a server reports the server's release) and the seed.
 * @example await environment([duckdbEngine], 42)
 */
export async function environment(
  engines: readonly EngineDescriptor[],
  seed: number,
  options: Readonly<Record<string, string | number | boolean>> = {},
): Promise<Environment> {
  const packages: Record<string, string> = {};
  for (const name of HARNESS_PACKAGES) {
    const v = packageVersion(name);
    if (v) packages[name] = v;
  }
  for (const e of engines) {
    try {
      Object.assign(packages, await e.versions(options)); // options: e.g. a ClickHouse server's own release
    } catch (err) {
      packages[`${e.name} (versions failed)`] = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    }
  }
  const cpus = os.cpus();
  return {
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    memoryBytes: os.totalmem(),
    gitCommit: gitCommit(),
    packages,
    seed,
  };
}
