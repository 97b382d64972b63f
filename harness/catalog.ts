// What a run can choose from: the registered scenarios and engines plus those of any `--extension` modules.
// Extensions are how tests, labs and users add scenarios or engines without touching the registries: they are
// selectable by name but never join the default suite.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EngineDescriptor } from '../engines/engine.ts';
import { ENGINES } from '../engines/registry.ts';
import { SCENARIOS } from '../scenarios/registry.ts';
import type { Scenario } from '../scenarios/scenario.ts';

/**
 * What an extension module exports, under the name `benchExtension`.
 * @example
 *   // my-scenarios.ts, run with: npm run bench -- --extension my-scenarios.ts --scenarios my-query
 *   export const benchExtension: BenchExtension = { scenarios: [myQuery] };
 */
export interface BenchExtension {
  readonly scenarios?: readonly Scenario[];
  readonly engines?: readonly EngineDescriptor[];
}

export interface Catalog {
  readonly scenarios: readonly Scenario[];
  readonly engines: readonly EngineDescriptor[];
  /** Names that run when the user selects nothing (the registries' entries, not extensions'). */
  readonly defaultScenarios: readonly string[];
  readonly defaultEngines: readonly string[];
  /** Absolute paths of the extension modules, passed on to every cell's child process. */
  readonly extensions: readonly string[];
}

/**
 * Load the registries and the given extension modules; one-line errors for a bad module or a name clash.
 * @example const catalog = await loadCatalog(['test/harness/fixtures/test-extension.ts']);
 */
export async function loadCatalog(extensionPaths: readonly string[] = []): Promise<Catalog> {
  const scenarios: Scenario[] = [...SCENARIOS];
  const engines: EngineDescriptor[] = [...ENGINES];
  const extensions = extensionPaths.map((p) => resolve(p));
  for (const path of extensions) {
    if (!existsSync(path)) throw new Error(`extension module '${path}' does not exist; pass a .ts file exporting benchExtension`);
    const mod = (await import(pathToFileURL(path).href)) as { benchExtension?: BenchExtension };
    const ext = mod.benchExtension;
    if (!ext || typeof ext !== 'object') {
      throw new Error(`extension module '${path}' has no export 'benchExtension' ({ scenarios?, engines? })`);
    }
    for (const s of ext.scenarios ?? []) {
      if (scenarios.some((x) => x.name === s.name)) throw new Error(`extension '${path}' redefines scenario '${s.name}'; pick another name`);
      scenarios.push(s);
    }
    for (const e of ext.engines ?? []) {
      if (engines.some((x) => x.name === e.name)) throw new Error(`extension '${path}' redefines engine '${e.name}'; pick another name`);
      engines.push(e);
    }
  }
  return {
    scenarios,
    engines,
    defaultScenarios: SCENARIOS.map((s) => s.name),
    defaultEngines: ENGINES.map((e) => e.name),
    extensions,
  };
}

export function scenarioByName(catalog: Catalog, name: string): Scenario {
  const s = catalog.scenarios.find((x) => x.name === name);
  if (!s) throw new Error(`unknown scenario '${name}'; valid scenarios: ${catalog.scenarios.map((x) => x.name).join(', ')}`);
  return s;
}

export function engineByName(catalog: Catalog, name: string): EngineDescriptor {
  const e = catalog.engines.find((x) => x.name === name);
  if (!e) throw new Error(`unknown engine '${name}'; valid engines: ${catalog.engines.map((x) => x.name).join(', ')}`);
  return e;
}
