// The logical plan's public surface: import from here in scenarios, labs and engines.
export * from './types.ts';
export * from './schema.ts';
export * from './column.ts';
export * from './dataframe.ts';
export * from './explain.ts';
export * from './arrow.ts';
