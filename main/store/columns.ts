/**
 * One mapping between a table's rows and the records the store hands out: a field is its column's name in camelCase
 * (`dataset_id` <-> `datasetId`); a JSON field is stored as text, a flag as 0 or 1, anything else as it is.
 */

/** The fields (camelCase) of a table that are stored as JSON text or as a 0/1 flag. */
export interface ColumnCodec {
  json?: readonly string[];
  flags?: readonly string[];
}

const camel = (column: string): string => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const snake = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The record of a row: every column but those whose field is in `omit`, JSON parsed and flags as booleans. */
export function recordOf<T>(row: object, codec: ColumnCodec, omit: readonly string[] = []): T {
  const record: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    const field = camel(column);
    if (omit.includes(field)) continue;
    if (value === null || value === undefined) record[field] = value;
    else if (codec.json?.includes(field)) record[field] = JSON.parse(value as string) as unknown;
    else if (codec.flags?.includes(field)) record[field] = value === 1;
    else record[field] = value;
  }
  return record as T;
}

/** The columns of a record: each field by its column name, JSON as text and flags as 0/1 (null stays null). */
export function columnsOf(record: object, codec: ColumnCodec): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(record)) {
    if (value === undefined) continue;
    row[snake(field)] =
      value === null
        ? null
        : codec.json?.includes(field)
          ? JSON.stringify(value)
          : codec.flags?.includes(field)
            ? value
              ? 1
              : 0
            : value;
  }
  return row;
}
