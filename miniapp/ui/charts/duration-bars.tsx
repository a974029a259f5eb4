import { ChartEmpty } from './chart-frame.tsx';

export type DurationRow = { name: string; count: number; median: number | null; p90: number | null };

export type DurationBarsProps = {
  title: string;
  rows: DurationRow[];
  format: (seconds: number) => string;
  emptyText?: string;
};

const W = 320;
const ROW = 30;
const NAME_W = 84;

/**
 * Horizontal bars for durations per row (agent, category): the solid bar is the median, the pale one
 * reaches the 90th percentile; both labelled. An empty state.
 */
export function DurationBars({
  title,
  rows,
  format,
  emptyText = 'No tickets in this period',
}: DurationBarsProps) {
  const shown = rows.filter((row) => row.count > 0 && row.median !== null);
  if (!shown.length) return <ChartEmpty title={title} text={emptyText} />;
  const max = Math.max(...shown.map((row) => row.p90 ?? row.median ?? 0), 1);
  const plotW = W - NAME_W - 8;
  const height = shown.length * ROW + 4;
  return (
    <figure className="sb-chart">
      <figcaption className="sb-chart-title">{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-label={title} className="sb-chart-svg">
        {shown.map((row, i) => {
          const y = i * ROW + 4;
          const median = ((row.median ?? 0) / max) * plotW;
          const p90 = ((row.p90 ?? 0) / max) * plotW;
          return (
            <g key={row.name} className="sb-series sb-series--primary">
              <text className="sb-chart-label" x={0} y={y + 11}>
                {row.name.length > 13 ? `${row.name.slice(0, 12)}…` : row.name}
              </text>
              <text className="sb-chart-axis" x={0} y={y + 23}>
                {row.count} {row.count === 1 ? 'ticket' : 'tickets'}
              </text>
              <rect className="sb-bar-p90" x={NAME_W} y={y + 2} width={Math.max(p90, 2)} height={12} rx={3} />
              <rect x={NAME_W} y={y + 2} width={Math.max(median, 2)} height={12} rx={3}>
                <title>{`${row.name}: median ${format(row.median ?? 0)}, p90 ${format(row.p90 ?? 0)}`}</title>
              </rect>
              <text className="sb-chart-value" x={NAME_W} y={y + 25}>
                median {format(row.median ?? 0)} · p90 {format(row.p90 ?? 0)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
