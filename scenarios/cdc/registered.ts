// The cdc-merge scenario as the registry lists it. WARNING: every bench cell imports the registry, and the scenario's
// code (appliers, patterns, every engine's CDC path) is ~40 modules; it is imported only when a cdc-merge variant is
// listed, checked or run.
import type { CustomScenario } from '../scenario.ts';
import { CDC_MERGE_INFO } from './teaches.ts';

const scenario = async (): Promise<CustomScenario> => (await import('./merge-scenario.ts')).cdcMergeScenario();

export const cdcMergeEntry: CustomScenario = {
  ...CDC_MERGE_INFO,
  variants: async (options) => (await scenario()).variants(options),
  checkOptions: async (options) => (await scenario()).checkOptions?.(options),
  runCell: async (variant, rows, ctx) => (await scenario()).runCell(variant, rows, ctx),
};
