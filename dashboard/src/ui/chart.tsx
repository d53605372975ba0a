import { useEffect, useId, useRef } from 'react';
import uPlot from 'uplot';
// The chart's own rules, bundled with the dashboard: nothing is fetched from another origin.
import 'uplot/dist/uPlot.min.css';
import { useI18n } from '../i18n/i18n.tsx';

export interface ChartLine {
  label: string;
  values: (number | null)[];
}

/** Colours of the lines, in order; each reads on the light and the dark surface alike. */
const COLOURS = ['#2f7ed8', '#d9822b', '#3a9d5d', '#b04fc4', '#c0392b', '#7f8c8d'];

/**
 * A line chart of counts over time (uPlot on a canvas). The canvas says nothing to assistive
 * technology, so the figure carries a caption and the legend lists each line with its total;
 * the numbers themselves are in the page's tables and in the CSV.
 */
export function TimeChart({ caption, times, lines, interval, timezone }: { caption: string; times: number[]; lines: ChartLine[]; interval: string; timezone: string }) {
  const { number, locale } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const captionId = useId();
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const style = getComputedStyle(el);
    const text = style.getPropertyValue('--text').trim() || '#1b1f24';
    const grid = style.getPropertyValue('--border').trim() || '#cfd5dc';
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    // Ticks and labels in the series' zone (the one the API bucketed in), not the browser's.
    const time = new Intl.DateTimeFormat(locale, interval === 'day' ? { month: 'short', day: 'numeric', timeZone: timezone } : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: timezone });
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 200),
      height: 260,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timezone),
      axes: [
        { ...axis, space: interval === 'day' ? 70 : 120, values: (_u, splits) => splits.map((s) => time.format(new Date(s * 1000))) },
        { ...axis, values: (_u, splits) => splits.map((s) => number(s)) },
      ],
      series: [{}, ...lines.map((l, i) => ({ label: l.label, stroke: COLOURS[i % COLOURS.length]!, width: 2, points: { show: times.length < 48 } }))],
    };
    const plot = new uPlot(opts, [times, ...lines.map((l) => l.values)] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 200), height: 260 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, lines, locale, number, interval, timezone]);
  return (
    <figure className="chart" aria-labelledby={captionId}>
      <figcaption id={captionId}>{caption}</figcaption>
      <div ref={box} className="chart-canvas" />
      <ul className="chart-legend">
        {lines.map((l, i) => (
          <li key={l.label}>
            <span className={`swatch swatch-${i % COLOURS.length}`} aria-hidden="true" />
            {l.label}: {number(l.values.reduce<number>((a, v) => a + (v ?? 0), 0))}
          </li>
        ))}
      </ul>
    </figure>
  );
}
