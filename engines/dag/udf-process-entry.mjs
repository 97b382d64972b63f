// Child-process bootstrap for isolated UDFs (registers tsx, then loads the TypeScript UDF server).
import { register } from 'tsx/esm/api';
register();
await import('./udf-process.ts');
