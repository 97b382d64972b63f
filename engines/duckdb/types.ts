// Logical types ↔ DuckDB's own types: which DuckDB type stores each column, and which type id a result column
// must come back as. One table, so the loader, the result reader and the UDF bridge cannot disagree.
import { BIGINT, BOOLEAN, DOUBLE, INTEGER, TIMESTAMP, VARCHAR, DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import { assertNever, type DataType } from '../../plan/types.ts';

/**
 * The DuckDB type of a logical type. Timestamps are DuckDB's microsecond TIMESTAMP (converted from and to
 * Arrow's milliseconds at the boundary), so SQL timestamp functions and literals behave natively.
 * @example duckdbTypeOf('int32') // INTEGER
 */
export function duckdbTypeOf(type: DataType): DuckDBType {
  switch (type) {
    case 'int32':
      return INTEGER;
    case 'int64':
      return BIGINT;
    case 'float64':
      return DOUBLE;
    case 'utf8':
      return VARCHAR;
    case 'bool':
      return BOOLEAN;
    case 'timestamp':
      return TIMESTAMP;
    default:
      return assertNever(type, 'data type');
  }
}

/** The DuckDB type id a result column of this logical type arrives as (timestamps are sent as epoch-ms BIGINT). */
export function resultTypeIdOf(type: DataType): DuckDBTypeId {
  switch (type) {
    case 'int32':
      return DuckDBTypeId.INTEGER;
    case 'int64':
    case 'timestamp':
      return DuckDBTypeId.BIGINT;
    case 'float64':
      return DuckDBTypeId.DOUBLE;
    case 'utf8':
      return DuckDBTypeId.VARCHAR;
    case 'bool':
      return DuckDBTypeId.BOOLEAN;
    default:
      return assertNever(type, 'data type');
  }
}
