// A weight matrix as a heatmap on a canvas: blue for negative, red for positive, white at 0,
// scaled by the largest |w|; values are written in the cells when they are big enough to read.

import { h, short } from '../dom.js';

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
  for (let i = 0; i < rows * cols; i++) scale = Math.max(scale, Math.abs(values[i]!));
  const cell = Math.max(1, Math.min(56, Math.floor(maxWidth / cols), Math.floor(320 / rows)));
  const canvas = h('canvas', { width: cols * cell, height: rows * cell, role: 'img', 'aria-label': `${name} heatmap` });
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
  return h(
    'figure',
    // The values themselves, exact, for whatever reads the page without seeing the colours.
    { class: 'heatmap', 'data-name': name, 'data-values': Array.from({ length: rows * cols }, (_, i) => String(values[i])).join(' ') },
    grid,
    colourScale(scale, nonNegative),
    h('figcaption', {}, h('code', {}, name), ` (${rows}×${cols}): ${caption}`),
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
  return h('div', { class: 'scale' }, h('span', {}, short(low)), bar, h('span', {}, short(max)), h('span', { class: 'hint' }, nonNegative ? ' (0 white, red the largest)' : ' (blue negative, 0 white, red positive)'));
}

/** t in [-1, 1] → blue … white … red. */
export function color(t: number): string {
  const a = Math.min(1, Math.abs(t));
  const [r, g, b] = t < 0 ? [37, 99, 235] : [220, 38, 38];
  const mix = (c: number): number => Math.round(255 + (c - 255) * a);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}
