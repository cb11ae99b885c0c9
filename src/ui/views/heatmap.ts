// A weight matrix as a heatmap on a canvas: blue for negative, red for positive, white at 0,
// scaled by the largest |w|; values are written in the cells when they are big enough to read.

import { h, short } from '../dom.js';

export function heatmap(name: string, values: ArrayLike<number>, rows: number, cols: number, maxWidth = 360): HTMLElement {
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
  return h(
    'figure',
    { class: 'heatmap' },
    canvas,
    h('figcaption', {}, h('code', {}, name), ` (${rows}×${cols}), |w| ≤ ${short(scale)}`),
  );
}

/** t in [-1, 1] → blue … white … red. */
export function color(t: number): string {
  const a = Math.min(1, Math.abs(t));
  const [r, g, b] = t < 0 ? [37, 99, 235] : [220, 38, 38];
  const mix = (c: number): number => Math.round(255 + (c - 255) * a);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}
