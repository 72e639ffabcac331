import facts from "./column-facts.json" with { type: "json" };

/**
 * What CSDL does not carry: option-set labels and string MaxLength. Curated in column-facts.json
 * from Microsoft's table reference (learn.microsoft.com/power-apps/developer/data-platform/reference/
 * entities/<table>) for the bundled tables' common columns, default (en-US, 1033) labels only.
 */
interface TableFacts {
  readonly options?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly maxLength?: Readonly<Record<string, number>>;
  /** The statuscode a new row gets in its default (0) state. */
  readonly defaultStatus?: number;
}

const TABLES = facts as Readonly<Record<string, TableFacts>>;

/** The label of option `value` of column `column` on `table`, when curated. */
export function optionLabel(table: string, column: string, value: number): string | undefined {
  return TABLES[table]?.options?.[column]?.[String(value)];
}

/** Whether `column` of `table` is a curated choice (option set) column. */
export function isChoiceColumn(table: string, column: string): boolean {
  return TABLES[table]?.options?.[column] !== undefined;
}

/** The MaxLength of a string column, when curated. */
export function maxLengthOf(table: string, column: string): number | undefined {
  return TABLES[table]?.maxLength?.[column];
}

/** The statuscode of a new row in state 0, when curated. */
export function defaultStatusOf(table: string): number | undefined {
  return TABLES[table]?.defaultStatus;
}
