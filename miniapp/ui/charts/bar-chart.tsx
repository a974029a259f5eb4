import { ChartEmpty, niceMax } from './chart-frame.tsx';

export type BarChartProps = {
  title: string;
  bars: { label: string; value: number }[];
  /** Under the chart, e.g. "80% of closed tickets rated". */
  note?: string;
  emptyText?: string;
};

const W = 320;
const H = 130;
const PAD = { top: 16, bottom: 20, side: 8 };

/** Vertical bars with their values on top (e.g. ratings 1–5); an empty state. */
export function BarChart({ title, bars, note, emptyText = 'Nothing in this period' }: BarChartProps) {
  const max = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  if (max === 0) return <ChartEmpty title={title} text={emptyText} />;
  const slot = (W - 2 * PAD.side) / bars.length;
  const plotH = H - PAD.top - PAD.bottom;
  return (
    <figure className="sb-chart">
      <figcaption className="sb-chart-title">{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} className="sb-chart-svg">
        <line
          className="sb-chart-grid"
          x1={PAD.side}
          x2={W - PAD.side}
          y1={H - PAD.bottom}
          y2={H - PAD.bottom}
        />
        {bars.map((bar, i) => {
          const h = (bar.value / max) * plotH;
          const cx = PAD.side + slot * i + slot / 2;
          return (
            <g key={bar.label} className="sb-series sb-series--primary">
              <rect x={cx - slot * 0.3} y={H - PAD.bottom - h} width={slot * 0.6} height={h} rx={3}>
                <title>{`${bar.label}: ${bar.value}`}</title>
              </rect>
              <text className="sb-chart-value" x={cx} y={H - PAD.bottom - h - 4} textAnchor="middle">
                {bar.value}
              </text>
              <text className="sb-chart-axis" x={cx} y={H - 6} textAnchor="middle">
                {bar.label}
              </text>
            </g>
          );
        })}
      </svg>
      {note && <p className="sb-chart-note">{note}</p>}
    </figure>
  );
}
