// Test helper: run the real bench CLI (`tsx harness/cli.ts`) as a user would, capturing exit code and output.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TEST_EXTENSION = fileURLToPath(new URL('./fixtures/test-extension.ts', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawn the CLI with `args` from the repository root; resolves when it exits. */
export function runCli(args: readonly string[], timeoutMs = 240_000): Promise<CliRun> {
  return startCli(args, timeoutMs).done;
}

/** Like runCli, but also hands back the process (to signal it). */
export function startCli(args: readonly string[], timeoutMs = 240_000): { child: ChildProcess; done: Promise<CliRun> } {
  let child!: ChildProcess;
  const done = new Promise<CliRun>((resolve, reject) => {
    child = spawn(process.execPath, ['--import', 'tsx', 'harness/cli.ts', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench CLI did not finish within ${timeoutMs} ms: ${args.join(' ')}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done };
}
