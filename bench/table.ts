export interface Row {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

/** Prints rows as an aligned plain-text table, the same shape for every benchmark. */
export function printTable(title: string, rows: Row[]): void {
  const cells = rows.map((row) => [row.name, formatValue(row.value), row.unit, row.note ?? '']);
  const header = ['measure', 'value', 'unit', 'note'];
  const widths = header.map((_, column) => Math.max(header[column]!.length, ...cells.map((cell) => cell[column]!.length)));
  const line = (cell: string[]) => cell.map((text, column) => (column === 1 ? text.padStart(widths[column]!) : text.padEnd(widths[column]!))).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const cell of cells) console.log(line(cell).trimEnd());
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(2);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
