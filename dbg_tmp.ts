import { table, col, lit, count, sum, avg, min, max, asc, desc, tableFromRows, tableToRows, when, udf } from './plan/index.ts';
import { dagEngine } from './engines/dag/index.ts';
import { duckdbEngine } from './engines/duckdb/index.ts';
import { compareResults } from './harness/compare.ts';
import { testContext } from './test/support/engine-context.ts';
const leftSchema: any = [
  { name: 'k', type: 'utf8' }, { name: 'g', type: 'int32' }, { name: 'v', type: 'int32' }, { name: 'x', type: 'float64' }, { name: 't', type: 'timestamp' }, { name: 'b', type: 'bool' }];
const rightSchema: any = [{ name: 'rk', type: 'utf8' }, { name: 'label', type: 'utf8' }, { name: 'w', type: 'int64' }, { name: 'rg', type: 'int64' }];
const d = await dagEngine.create(testContext({ 'dag.workers': 2 }));
const o = await duckdbEngine.create(testContext());
const lrows = [{"k":"a","g":null,"v":null,"x":null,"t":null,"b":null},{"k":"Ａ","g":null,"v":null,"x":null,"t":null,"b":null}];
const rrows = [{"rk":"","label":null,"w":0n,"rg":null}];
const tabs = new Map([['l', tableFromRows(leftSchema, lrows)], ['r', tableFromRows(rightSchema, rrows)]]);
await d.load(tabs); await o.load(tabs);
const upper = udf((s: string | null) => (s === null ? null : s.toUpperCase()), 'utf8', 'upper');
const l = table('l', leftSchema), r = table('r', rightSchema);
for (const df of [l.groupBy('k').agg(count().alias('n'), max('k').alias('mk')), l.select(col('x').cast('int32').alias('xi'), col('v').cast('utf8').alias('vs'), col('k').lt(lit('b')).alias('kl')), l.select(upper('k').alias('uk'), 'v'), l.join(r, [['k', 'rk']], 'inner')]) {
  try {
  const e = await o.run(df.plan); const a = await d.run(df.plan);
  console.log(compareResults(e, a, df.plan), tableToRows(e), tableToRows(a));
  } catch (e) { console.log('ERR', e); }
}
await d.close(); await o.close();
