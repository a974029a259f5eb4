import type { DatabaseKind } from './server.ts';

/** One line of the table: a figure next to its baseline, measured in the same run. */
export type Row = {
  scenario: string;
  metric: string;
  value: string;
  baseline: string;
  comparison: string;
};

export type ScenarioResult = {
  scenario: string;
  database: DatabaseKind | 'any';
  rows: Row[];
  /** Everything measured, for the JSON file. */
  data: Record<string, unknown>;
  durationSeconds?: number;
};

export function table(results: ScenarioResult[]): string {
  const header = ['database', 'scenario', 'metric', 'Switchboard', 'baseline', 'comparison'];
  const lines = results.flatMap((result) =>
    result.rows.map((row) => [
      result.database,
      row.scenario,
      row.metric,
      row.value,
      row.baseline,
      row.comparison,
    ]),
  );
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => (line[column] as string).length)),
  );
  const format = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] as number)).join(' | ')} |`;
  return [
    format(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...lines.map(format),
  ].join('\n');
}
