import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface DaySeries {
  label: string;
  colour: string;
  kind: 'bars' | 'line';
}

/**
 * A chart of daily figures with uPlot (canvas, ~50 KB): bars or lines over the period's days,
 * as wide as its panel (redrawn when a tablet turns). Only the dashboard's chunk imports it.
 */
export function DayChart({ data, series, title, format, height = 220 }: {
  data: [number[], ...number[][]];
  series: DaySeries[];
  title: string;
  format: (value: number) => string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const ink = getComputedStyle(element).getPropertyValue('--ink-muted').trim() || '#566372';
    const days = data[0].length;
    const bars = uPlot.paths.bars?.({ size: [0.7, 40], align: 0 });
    const chart = new uPlot({
      width: Math.max(element.clientWidth, 200),
      height,
      legend: { show: series.length > 1 },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true, range: (_u, min, max) => [min - 43_200, max + 43_200] }, y: { range: (_u, _min, max) => [0, Math.max(max, 1) * 1.1] } },
      axes: [
        { stroke: ink, grid: { show: false }, values: (_u, ticks) => ticks.map((tick) => shortDate(tick)), space: days > 31 ? 70 : 45 },
        { stroke: ink, size: 64, values: (_u, ticks) => ticks.map(format), grid: { stroke: '#e1e6eb' } },
      ],
      series: [
        { value: (_u, tick) => (tick == null ? '' : shortDate(tick)) },
        ...series.map((one) => ({
          label: one.label,
          stroke: one.colour,
          fill: one.kind === 'bars' ? `${one.colour}cc` : undefined,
          width: one.kind === 'bars' ? 0 : 2,
          paths: one.kind === 'bars' ? bars : undefined,
          points: { show: one.kind === 'line' && days <= 31 },
          value: (_u: uPlot, value: number | null) => (value == null ? '' : format(value)),
        })),
      ],
    }, data as uPlot.AlignedData, element);
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(element.clientWidth, 200), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [data, series, height, format]);
  return <div class="day-chart" ref={box} role="img" aria-label={title} />;
}

/** Unix seconds of a day (Taipei) → `3/2`. */
function shortDate(seconds: number): string {
  const at = new Date(seconds * 1000 + 8 * 3600 * 1000);
  return `${at.getUTCMonth() + 1}/${at.getUTCDate()}`;
}
