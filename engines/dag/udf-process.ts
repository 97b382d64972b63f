// The isolated UDF server: a separate OS process that receives batches of rows, applies the UDF row by row
// and sends the results back — the model of PySpark's Python worker (rows pickled out, results pickled back).
import { compileUdf } from './wire.ts';

interface UdfRequest {
  readonly id: number;
  readonly source: string;
  readonly rows: readonly (readonly unknown[])[];
}

process.on('message', (msg: UdfRequest) => {
  try {
    const fn = compileUdf(msg.source);
    const results = msg.rows.map((row) => fn(...row));
    process.send!({ id: msg.id, ok: true, results });
  } catch (e) {
    process.send!({ id: msg.id, ok: false, error: (e as Error).message });
  }
});
