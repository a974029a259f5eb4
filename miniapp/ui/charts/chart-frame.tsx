import './charts.css';

/** A round upper bound for an axis: 1, 2, 5, 10, 20, 50, … (0 stays 0). */
export function niceMax(value: number): number {
  if (value <= 0) return 0;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/** A chart with nothing to show: its title and why. */
export function ChartEmpty({ title, text }: { title: string; text: string }) {
  return (
    <figure className="sb-chart sb-chart--empty">
      <figcaption className="sb-chart-title">{title}</figcaption>
      <p className="sb-chart-empty">{text}</p>
    </figure>
  );
}
