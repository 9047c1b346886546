/** What a figure should be, and whether this run met it; `met` is undefined when it was not measured. */
export interface Goal {
  text: string;
  met: boolean | undefined;
}

export interface Row {
  name: string;
  /** The median of the samples, or the one value of an exact figure (a size, a count). */
  value: number;
  /** Smallest to largest sample, for every timed row; undefined for exact figures. */
  spread?: string;
  unit: string;
  goal?: Goal;
  note?: string;
}

/** Prints rows as an aligned plain-text table, the same shape for every benchmark. */
export function printTable(title: string, rows: readonly Row[]): void {
  const header = ['measure', 'value', 'spread (min–max)', 'unit', 'goal', 'met?', 'note'];
  const cells = rows.map((row) => [
    row.name,
    formatValue(row.value),
    row.spread ?? '-',
    row.unit,
    row.goal?.text ?? '',
    row.goal ? metText(row.goal.met) : '',
    row.note ?? '',
  ]);
  const widths = header.map((_, column) => Math.max(header[column]!.length, ...cells.map((cell) => cell[column]!.length)));
  const line = (cell: string[]) => cell.map((text, column) => (column === 1 ? text.padStart(widths[column]!) : text.padEnd(widths[column]!))).join('  ');
  console.log(`\n${title}`);
  console.log(line(header).trimEnd());
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const cell of cells) console.log(line(cell).trimEnd());
}

function metText(met: boolean | undefined): string {
  if (met === undefined) return 'n/a';
  return met ? 'yes' : 'no';
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (Number.isInteger(value) || Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(2);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The median of timed samples and their spread: what every timed row shows. */
export function summarize(samples: readonly number[]): Pick<Row, 'value' | 'spread'> {
  if (samples.length === 0) throw new Error('no samples to summarize');
  return { value: median(samples), spread: `${formatValue(Math.min(...samples))}–${formatValue(Math.max(...samples))}` };
}

export function atMost(value: number, limit: number, suffix = ''): Goal {
  return { text: `≤ ${formatValue(limit)}${suffix}`, met: value <= limit };
}

export function atLeast(value: number, limit: number, suffix = ''): Goal {
  return { text: `≥ ${formatValue(limit)}${suffix}`, met: value >= limit };
}

export function exactly(value: number, expected: number, suffix = ''): Goal {
  return { text: `= ${formatValue(expected)}${suffix}`, met: value === expected };
}
