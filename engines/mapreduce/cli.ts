// The file system's command line, for watching HDFS behaviour by hand:
//   npx tsx engines/mapreduce/cli.ts <command> --dir <dfs dir> [...]
// format, put (an Arrow IPC file), ls, cat, fsck, kill-datanode, corrupt. Errors print one line and exit 1.
import { promises as fs, readFileSync } from 'node:fs';
import * as arrow from 'apache-arrow';
import { replicaPath } from './datanode.ts';
import { NameNode } from './namenode.ts';
import { tablePath } from './planner.ts';
import { readFiles, writeTable } from './table-io.ts';

const USAGE = `usage: npx tsx engines/mapreduce/cli.ts <command> --dir <dfs dir> [options]
  format [--datanodes 4] [--replication 3] [--block-size 4194304]   create an empty file system (wipes <dir>)
  put <table> <file.arrow>                                           store an Arrow IPC file as /tables/<table>
  ls [prefix]                                                        files, blocks and their replicas
  cat <path> [--limit 20]                                            print rows of a file
  fsck                                                               verify every replica; repair what it can
  kill-datanode <id>                                                 delete a DataNode's disk; re-replicate
  corrupt <block id> <datanode id>                                   flip a byte of one replica (for teaching)`;

class CliError extends Error {}

const KNOWN_FLAGS = ['dir', 'datanodes', 'replication', 'block-size', 'limit'];

function parse(argv: readonly string[]): { positional: string[]; flags: Map<string, string> } {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      positional.unshift('help');
      continue;
    }
    if (a.startsWith('--')) {
      // A misspelt flag would otherwise be ignored silently and the command run with its default.
      if (!KNOWN_FLAGS.includes(a.slice(2))) throw new CliError(`unknown option ${a}; options are ${KNOWN_FLAGS.map((f) => `--${f}`).join(', ')}\n${USAGE}`);
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new CliError(`option ${a} needs a value\n${USAGE}`);
      flags.set(a.slice(2), value);
      i++;
    } else positional.push(a);
  }
  return { positional, flags };
}

function int(flags: Map<string, string>, name: string, dflt: number): number {
  const v = flags.get(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name} must be a positive integer, got '${v}'`);
  return n;
}

function arg(positional: string[], i: number, what: string): string {
  const v = positional[i];
  if (v === undefined) throw new CliError(`missing ${what}\n${USAGE}`);
  return v;
}

/** Runs one command; returns the text to print. Exported for tests. */
export async function runCli(argv: readonly string[]): Promise<string> {
  const { positional, flags } = parse(argv);
  const command = positional[0];
  if (!command || command === 'help') return USAGE;
  const dir = flags.get('dir');
  if (!dir) throw new CliError(`--dir is required\n${USAGE}`);
  if (command === 'format') {
    const nn = await NameNode.format(dir, { dataNodes: int(flags, 'datanodes', 4), replication: int(flags, 'replication', 3), blockSize: int(flags, 'block-size', 4 << 20) });
    return `formatted ${dir}: ${nn.dataNodes.length} DataNodes, replication ${nn.replication}, block size ${nn.blockSize} bytes`;
  }
  let nn: NameNode;
  try {
    nn = await NameNode.open(dir);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  switch (command) {
    case 'put': {
      const name = arg(positional, 1, 'table name');
      const file = arg(positional, 2, 'Arrow IPC file');
      let t: arrow.Table;
      try {
        t = arrow.tableFromIPC(readFileSync(file));
      } catch (err) {
        throw new CliError(`cannot read ${file} as an Arrow IPC file: ${(err as Error).message}`);
      }
      const info = writeTable(nn, tablePath(name), t, { blockSize: nn.blockSize, replication: nn.replication });
      await nn.commitFiles([info]);
      return `${info.path}: ${info.rows} rows, ${info.bytes} bytes in ${info.blocks.length} blocks x ${nn.replication} replicas`;
    }
    case 'ls': {
      const files = nn.list(positional[1] ?? '/');
      const live = nn.liveDataNodes();
      const lines = [`DataNodes: ${nn.dataNodes.map((d) => `dn-${d.id}${d.alive ? '' : ' (dead)'}`).join(', ')}`];
      for (const f of files) {
        lines.push(`${f.path}  ${f.rows} rows  ${f.bytes} bytes  ${f.blocks.length} blocks  [${f.schema.map((c) => `${c.name}:${c.type}`).join(', ')}]`);
        for (const b of f.blocks) {
          const under = b.replicas.length < Math.min(nn.replication, live.length) ? '  UNDER-REPLICATED' : '';
          lines.push(`  blk_${b.id}  ${b.length} bytes  ${b.rows} rows  crc32 ${b.checksum.toString(16).padStart(8, '0')}  on ${b.replicas.map((d) => `dn-${d}`).join(',') || 'nothing (LOST)'}${under}`);
        }
      }
      return lines.join('\n');
    }
    case 'cat': {
      const p = arg(positional, 1, 'file path');
      const info = nn.file(p);
      if (!info) throw new CliError(`no file ${p}; 'ls' lists the files`);
      const { table } = await readFiles(nn, [info], info.schema);
      const limit = int(flags, 'limit', 20);
      const rows = table.toArray().slice(0, limit).map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
      return [...rows, `(${Math.min(limit, table.numRows)} of ${table.numRows} rows)`].join('\n');
    }
    case 'fsck': {
      const r = await nn.fsck();
      const lines = [`${r.files} files, ${r.blocks} blocks, ${r.replicas} replicas checked`];
      for (const b of r.bad) lines.push(`  bad replica: blk_${b.blockId} on dn-${b.dn}: ${b.reason}`);
      lines.push(`re-replicated ${r.report.copied} replicas; ${r.report.lost.length} blocks lost${r.report.lost.length ? `: ${r.report.lost.join(', ')}` : ''}`);
      lines.push(r.bad.length === 0 && r.report.lost.length === 0 ? 'HEALTHY' : r.report.lost.length ? 'CORRUPT' : 'REPAIRED');
      return lines.join('\n');
    }
    case 'kill-datanode': {
      const id = Number(arg(positional, 1, 'DataNode id'));
      let r;
      try {
        r = await nn.killDataNode(id);
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      return `killed dn-${id}: ${r.underReplicated} blocks were under-replicated, copied ${r.copied} replicas, ${r.lost.length} blocks lost${r.lost.length ? ` (${r.lost.join(', ')})` : ''}`;
    }
    case 'corrupt': {
      const blockId = arg(positional, 1, 'block id').replace(/^blk_/, '');
      const dn = Number(arg(positional, 2, 'DataNode id'));
      const block = nn.list().flatMap((f) => f.blocks).find((b) => b.id === blockId);
      if (!block) throw new CliError(`no block ${blockId}; 'ls' lists the blocks`);
      if (!block.replicas.includes(dn)) throw new CliError(`dn-${dn} holds no replica of ${blockId}; it is on ${block.replicas.map((d) => `dn-${d}`).join(', ')}`);
      const p = replicaPath(nn.root, dn, blockId);
      const bytes = await fs.readFile(p);
      bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
      await fs.writeFile(p, bytes);
      return `flipped one byte of blk_${blockId} on dn-${dn}; the next read or fsck will notice`;
    }
    default:
      throw new CliError(`unknown command '${command}'\n${USAGE}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(process.argv.slice(2)).then(
    (out) => console.log(out),
    (err: unknown) => {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
