import { ChartEmpty } from './chart-frame.tsx';

export type HeatMapProps = {
  title: string;
  /** `values[row][column]`, e.g. weekday × hour. */
  values: number[][];
  rowLabels: string[];
  /** Column labels shown every few columns (e.g. 0, 6, 12, 18). */
  columnLabel: (column: number) => string | null;
  describe: (row: number, column: number, value: number) => string;
  emptyText?: string;
};

const W = 320;
const LEFT = 30;
const TOP = 4;
const CELL_GAP = 1.5;

/** A grid of cells shaded by value (e.g. busiest hours by weekday); an empty state. */
export function HeatMap({
  title,
  values,
  rowLabels,
  columnLabel,
  describe,
  emptyText = 'No tickets in this period',
}: HeatMapProps) {
  const max = Math.max(0, ...values.flat());
  if (max === 0) return <ChartEmpty title={title} text={emptyText} />;
  const columns = values[0]?.length ?? 0;
  const cell = (W - LEFT - 4) / columns;
  const height = TOP + values.length * cell + 16;
  return (
    <figure className="sb-chart">
      <figcaption className="sb-chart-title">{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-label={title} className="sb-chart-svg">
        {values.map((row, r) => (
          <g key={rowLabels[r] ?? r}>
            <text className="sb-chart-axis" x={LEFT - 4} y={TOP + r * cell + cell * 0.7} textAnchor="end">
              {rowLabels[r]}
            </text>
            {row.map((value, c) => (
              <rect
                // biome-ignore lint/suspicious/noArrayIndexKey: a fixed grid; the column is the identity.
                key={c}
                className={value ? 'sb-heat-cell' : 'sb-heat-cell sb-heat-cell--zero'}
                x={LEFT + c * cell}
                y={TOP + r * cell}
                width={cell - CELL_GAP}
                height={cell - CELL_GAP}
                rx={1.5}
                fillOpacity={value ? 0.2 + 0.8 * (value / max) : undefined}
              >
                <title>{describe(r, c, value)}</title>
              </rect>
            ))}
          </g>
        ))}
        {Array.from({ length: columns }, (_, c) => columnLabel(c)).map((label, c) =>
          label === null ? null : (
            <text
              // biome-ignore lint/suspicious/noArrayIndexKey: a fixed axis.
              key={c}
              className="sb-chart-axis"
              x={LEFT + c * cell + cell / 2}
              y={height - 4}
              textAnchor="middle"
            >
              {label}
            </text>
          ),
        )}
      </svg>
      <div className="sb-chart-legend">
        <span className="sb-heat-scale">
          fewer <span className="sb-heat-swatch" style={{ opacity: 0.25 }} />
          <span className="sb-heat-swatch" style={{ opacity: 0.6 }} />
          <span className="sb-heat-swatch" /> more (busiest: {max})
        </span>
      </div>
    </figure>
  );
}
