// A weight matrix as a heatmap on a canvas: blue for negative, red for positive, white at 0,
// scaled by the largest |w|; values are written in the cells when they are big enough to read, and
// smaller cells mark a negative value with a minus, so the sign never rests on colour alone. The
// exact values are a table on demand beneath.

import { h, short } from '../dom.js';
import { matrixTable, NumbersDisclosure } from './numbers.js';

/**
 * A weight matrix as a heatmap, each row labelled with the unit it comes from and each column
 * with the unit it goes to, and a colour scale from −|w|max to +|w|max beneath.
 */
export function heatmap(
  name: string,
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  labels?: { rows: readonly string[]; cols: readonly string[] },
  maxWidth = 320,
  caption = 'row = the unit a weight comes from, column = the unit it feeds',
  /** Values that cannot be negative (|GPU − CPU|): a scale from white at 0 to red at the largest. */
  nonNegative = false,
): HTMLElement {
  let scale = 0;
  let low = Infinity;
  let high = -Infinity;
  let negatives = 0;
  for (let i = 0; i < rows * cols; i++) {
    const v = values[i]!;
    scale = Math.max(scale, Math.abs(v));
    low = Math.min(low, v);
    high = Math.max(high, v);
    if (v < 0) negatives++;
  }
  // On a phone the picture gets the screen less the page's margins and the row labels (about 110 px).
  const room = Math.min(maxWidth, Math.max(120, window.innerWidth - 110));
  const cell = Math.max(1, Math.min(56, Math.floor(room / cols), Math.floor(320 / rows)));
  const summary = `${name}, ${rows} by ${cols}: from ${short(low)} to ${short(high)}${nonNegative ? '' : `, ${negatives} of ${rows * cols} negative`}`;
  const canvas = h('canvas', { width: cols * cell, height: rows * cell, role: 'img', 'aria-label': `heatmap of ${summary}` });
  const ctx = canvas.getContext('2d');
  if (ctx) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = values[r * cols + c]!;
        ctx.fillStyle = color(scale ? v / scale : 0);
        ctx.fillRect(c * cell, r * cell, cell, cell);
        if (cell >= 40) {
          ctx.fillStyle = Math.abs(scale ? v / scale : 0) > 0.6 ? '#fff' : '#0f172a';
          ctx.font = `${Math.floor(cell / 4.2)}px ui-monospace, monospace`;
          ctx.textAlign = 'center';
          ctx.textBaseline = 'middle';
          ctx.fillText(v.toFixed(2), c * cell + cell / 2, r * cell + cell / 2, cell - 4);
        } else if (v < 0 && cell >= 8) {
          ctx.fillStyle = Math.abs(v / scale) > 0.6 ? '#fff' : '#0f172a';
          const thick = Math.max(1, Math.round(cell / 8));
          ctx.fillRect(c * cell + Math.round(cell / 4), r * cell + Math.round((cell - thick) / 2), Math.ceil(cell / 2), thick);
        }
      }
    }
  }
  const showLabels = labels && cell >= 14;
  const grid = h('div', { class: 'heatmap-grid' });
  if (showLabels) {
    const rowLabels = h('div', { class: 'heatmap-rows' }, ...labels.rows.slice(0, rows).map((t) => h('span', {}, t)));
    const colLabels = h('div', { class: 'heatmap-cols' }, ...labels.cols.slice(0, cols).map((t) => h('span', {}, t)));
    // Sizes through the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
    for (const span of rowLabels.children) (span as HTMLElement).style.height = `${cell}px`;
    for (const span of colLabels.children) (span as HTMLElement).style.width = `${cell}px`;
    grid.append(h('span', { class: 'heatmap-corner' }, 'from ↓ to →'), colLabels, rowLabels, canvas);
  } else grid.append(canvas);
  const rowNames = labels?.rows ?? Array.from({ length: rows }, (_, r) => `row ${r}`);
  const colNames = labels?.cols ?? Array.from({ length: cols }, (_, c) => `column ${c}`);
  const exact = Float64Array.from({ length: rows * cols }, (_, i) => values[i]!);
  const numbers = new NumbersDisclosure(`${name} as numbers`, () => matrixTable(summary, exact, rows, cols, rowNames, colNames));
  return h(
    'figure',
    // The values themselves, exact, for whatever reads the page without seeing the colours.
    { class: 'heatmap', 'data-name': name, 'data-values': Array.from(exact, String).join(' ') },
    grid,
    colourScale(scale, nonNegative),
    h('figcaption', {}, h('code', {}, name), ` (${rows}×${cols}): ${caption}`),
    numbers.element,
  );
}

/** A bar from blue (−max) through white (0) to red (+max), with its three values; from white (0) to red (max) for values that cannot be negative. */
function colourScale(max: number, nonNegative: boolean): HTMLElement {
  const low = nonNegative ? 0 : -max;
  const bar = h('canvas', { width: 160, height: 10, class: 'scale-bar', role: 'img', 'aria-label': `colour scale from ${low} to ${max}` });
  const ctx = bar.getContext('2d');
  if (ctx) for (let x = 0; x < 160; x++) {
    ctx.fillStyle = color(nonNegative ? x / 159 : (x / 159) * 2 - 1);
    ctx.fillRect(x, 0, 1, 10);
  }
  return h('div', { class: 'scale' }, h('span', {}, short(low)), bar, h('span', {}, short(max)), h('span', { class: 'hint' }, nonNegative ? ' (0 white, red the largest)' : ' (blue negative, marked −; 0 white; red positive)'));
}

/** t in [-1, 1] → blue … white … red. */
export function color(t: number): string {
  const a = Math.min(1, Math.abs(t));
  const [r, g, b] = t < 0 ? [37, 99, 235] : [220, 38, 38];
  const mix = (c: number): number => Math.round(255 + (c - 255) * a);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}
