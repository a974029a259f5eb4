import { ChartEmpty, niceMax } from './chart-frame.tsx';

export type LineSeries = { name: string; values: number[]; tone: 'primary' | 'secondary' };

export type LineChartProps = {
  /** What the chart shows, for screen readers and as its caption. */
  title: string;
  /** One label per point (e.g. days). */
  labels: string[];
  series: LineSeries[];
  emptyText?: string;
};

const W = 320;
const H = 150;
const PAD = { left: 28, right: 8, top: 10, bottom: 22 };

/** Lines over labelled points (e.g. tickets opened and closed per day), with a legend; an empty state. */
export function LineChart({
  title,
  labels,
  series,
  emptyText = 'No tickets in this period',
}: LineChartProps) {
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  if (max === 0 || labels.length === 0) return <ChartEmpty title={title} text={emptyText} />;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (labels.length === 1 ? plotW / 2 : (i / (labels.length - 1)) * plotW);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const ticks = labels.length <= 1 ? [0] : [0, Math.floor((labels.length - 1) / 2), labels.length - 1];
  return (
    <figure className="sb-chart">
      <figcaption className="sb-chart-title">{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} className="sb-chart-svg">
        {(Number.isInteger(max / 2) ? [0, max / 2, max] : [0, max]).map((v) => (
          <g key={v}>
            <line className="sb-chart-grid" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text className="sb-chart-axis" x={PAD.left - 4} y={y(v) + 3} textAnchor="end">
              {v}
            </text>
          </g>
        ))}
        {ticks.map((i) => (
          <text key={i} className="sb-chart-axis" x={x(i)} y={H - 6} textAnchor="middle">
            {labels[i]}
          </text>
        ))}
        {series.map((s) => (
          <g key={s.name} className={`sb-series sb-series--${s.tone}`}>
            <polyline fill="none" points={s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ')} />
            {s.values.map((v, i) => (
              <circle key={labels[i]} cx={x(i)} cy={y(v)} r={labels.length > 31 ? 1.5 : 2.5}>
                <title>{`${labels[i]}: ${v} ${s.name.toLowerCase()}`}</title>
              </circle>
            ))}
          </g>
        ))}
      </svg>
      <div className="sb-chart-legend">
        {series.map((s) => (
          <span key={s.name} className={`sb-legend sb-legend--${s.tone}`}>
            {s.name} <strong>{s.values.reduce((a, b) => a + b, 0)}</strong>
          </span>
        ))}
      </div>
    </figure>
  );
}
