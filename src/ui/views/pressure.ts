// The seed's pressure table: a row per example, a column per weight, + for up pressure, − for
// down, 0 for none, and the net push over all examples in the last row.

import type { PressureMatrix } from '../../train/pressure.js';
import { h } from '../dom.js';

const SIGN = { '1': ['+', 'up'], '-1': ['−', 'down'], '0': ['0', 'none'] } as const;

function cell(sign: number): HTMLElement {
  const [text, cls] = SIGN[String(Math.sign(sign)) as keyof typeof SIGN];
  return h('td', { class: `p-${cls}` }, text);
}

export function pressureTable(matrices: PressureMatrix[], maxColumns = 24): HTMLElement {
  const wrap = h('div', { class: 'pressure' });
  for (const m of matrices) {
    const cols = Math.min(m.net.length, maxColumns);
    const head = h('tr', {}, h('th', {}, 'example'));
    for (let k = 0; k < cols; k++) {
      head.append(h('th', { title: `${m.name}[${Math.floor(k / m.cols)}][${k % m.cols}]` }, `${Math.floor(k / m.cols)},${k % m.cols}`));
    }
    const table = h('table', { class: 'pressure-table', 'data-matrix': m.name }, h('thead', {}, head));
    const body = h('tbody');
    m.perExample.forEach((signs, i) => {
      const tr = h('tr', {}, h('th', {}, String(i)));
      for (let k = 0; k < cols; k++) tr.append(cell(signs[k]!));
      body.append(tr);
    });
    const net = h('tr', { class: 'net' }, h('th', {}, 'net'));
    for (let k = 0; k < cols; k++) {
      const td = cell(m.net[k]!);
      td.title = `${m.up[k]} up, ${m.down[k]} down`;
      net.append(td);
    }
    body.append(net);
    table.append(body);
    wrap.append(
      h('div', { class: 'pressure-name' }, h('code', {}, m.name), m.net.length > cols ? ` (first ${cols} of ${m.net.length} weights)` : ''),
      table,
    );
  }
  return wrap;
}
