// COPY … FROM STDIN with the plain `pg` client: a minimal Submittable speaking the copy-in sub-protocol
// (CopyInResponse → CopyData* → CopyDone → CommandComplete), which is all pg-copy-streams adds. The rows are
// encoded in PostgreSQL's text COPY format (tab-separated, \N for NULL, backslash escapes).
import type pg from 'pg';
import type { Submittable } from 'pg';

/** The parts of pg's Connection the copy-in protocol uses (present in pg 8, not in its type definitions). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/**
 * One text-format field: backslash, tab, newline and carriage return escaped.
 * @example copyTextField('a\tb') // 'a\\tb'
 */
export function copyTextField(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** The NULL marker of the text format. */
export const COPY_NULL = '\\N';

/**
 * A COPY FROM STDIN statement and its data, submitted with `client.query(new CopyFromStdin(...))`.
 * WARNING: pg calls the handlers below by name; on an error it drops the query before ReadyForQuery, so the
 * promise settles in handleError, and in handleReadyForQuery only on success.
 */
class CopyFromStdin implements Submittable {
  private rows = 0;
  private failed = false;

  constructor(
    private readonly text: string,
    private readonly chunks: readonly Buffer[],
    private readonly settle: (err: Error | null, rows: number) => void,
  ) {}

  submit(connection: pg.Connection): void {
    (connection as unknown as CopyConnection).query(this.text);
  }
  handleCopyInResponse(connection: pg.Connection): void {
    const c = connection as unknown as CopyConnection;
    for (const chunk of this.chunks) c.sendCopyFromChunk(chunk);
    c.endCopyFrom();
  }
  handleCommandComplete(msg: { text?: string }): void {
    const m = /^COPY (\d+)/.exec(msg.text ?? '');
    this.rows = m ? Number(m[1]) : 0;
  }
  handleError(err: Error): void {
    this.failed = true;
    this.settle(err, 0);
  }
  handleReadyForQuery(): void {
    if (!this.failed) this.settle(null, this.rows);
  }
  // Messages a COPY FROM never receives; pg may still call them on a protocol surprise.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/** Lines are sent in CopyData messages of about this many bytes. */
const CHUNK_BYTES = 1 << 16;

/**
 * Run `COPY <relation> FROM STDIN` with `lines` (text format, one row each, without the newline) as its data.
 * Resolves to the row count the server reports.
 * @example await copyFromStdin(client, 'COPY s.t FROM STDIN', ['1\tabc', '2\t\\N'])
 */
export function copyFromStdin(client: pg.Client, statement: string, lines: Iterable<string>): Promise<number> {
  const chunks: Buffer[] = [];
  let parts: string[] = [];
  let size = 0;
  for (const line of lines) {
    parts.push(line, '\n');
    size += line.length + 1;
    if (size >= CHUNK_BYTES) {
      chunks.push(Buffer.from(parts.join(''), 'utf8'));
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) chunks.push(Buffer.from(parts.join(''), 'utf8'));
  return new Promise((resolve, reject) => {
    client.query(new CopyFromStdin(statement, chunks, (err, rows) => (err ? reject(err) : resolve(rows))));
  });
}
