// Types of patch-nodejs-polars.mjs (a plain script, so that `npm install` can run it without a TypeScript loader).
export declare const MARKER: string;
export interface PatchEdit {
  readonly find: string;
  readonly replace: string;
}
export declare const PATCHES: readonly { readonly file: string; readonly edits: readonly PatchEdit[] }[];
export declare function patchText(text: string, edits: readonly PatchEdit[]): { text: string; already: boolean } | { error: string };
