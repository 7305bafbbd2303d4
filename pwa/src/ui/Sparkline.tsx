/** A small trend as inline SVG: the readings as a line with dots, an optional limit as a dashed
 * line (the legal 1.6 mm of tread), a dot under the limit in red. No chart library. */
export interface Point { label: string; value: number }

const W = 180;
const H = 56;
const PAD = 6;

export function Sparkline({ points, limit, title, unit }: { points: Point[]; limit?: number; title: string; unit: string }) {
  const values = points.map((point) => point.value);
  const top = Math.max(...values, limit ?? 0) * 1.1 || 1;
  const bottom = limit !== undefined ? 0 : Math.min(...values) * 0.9;
  const x = (index: number) => (points.length === 1 ? W / 2 : PAD + (index * (W - 2 * PAD)) / (points.length - 1));
  const y = (value: number) => H - PAD - ((value - bottom) / (top - bottom || 1)) * (H - 2 * PAD);
  const described = `${title}: ${points.map((point) => `${point.label} ${point.value} ${unit}`).join(', ')}`;
  return (
    <svg class="sparkline" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={described} preserveAspectRatio="none">
      <title>{described}</title>
      {limit !== undefined && (
        <line class="sparkline-limit" x1={0} x2={W} y1={y(limit)} y2={y(limit)} />
      )}
      {points.length > 1 && (
        <polyline class="sparkline-line" points={points.map((point, index) => `${x(index)},${y(point.value)}`).join(' ')} />
      )}
      {points.map((point, index) => (
        <circle key={index} class={limit !== undefined && point.value < limit ? 'sparkline-dot sparkline-low' : 'sparkline-dot'}
          cx={x(index)} cy={y(point.value)} r={3.5} />
      ))}
    </svg>
  );
}
