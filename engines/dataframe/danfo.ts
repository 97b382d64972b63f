// danfojs as this engine uses it: the package's platform-independent core (`danfojs-base`: DataFrame, Series,
// merge, concat, groupby), without danfojs-node's file and network I/O layer (CSV/JSON/Excel readers pulling in
// request, papaparse and xlsx), which the engine never calls: importing the core takes ~1.1 s instead of ~1.6 s,
// paid by every dataframe cell.
export * from 'danfojs-node/dist/danfojs-base/index.js';
