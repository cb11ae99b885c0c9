// The hidden layer's own dataset (src/train/hiddenDataset.ts) as a table: a row per example,
// labelled by its inputs, a column per hidden unit with layer_1's value, and beneath them each
// unit's correlation with the goal and the lesson's up and down pressure on that unit's weight.

import type { HiddenDataset } from '../../train/hiddenDataset.js';
import { h, short } from '../dom.js';

/** "h1 is on only for [1 0 1]": for each unit that is 0 on some examples and not on others. */
function whereOn(d: HiddenDataset, units: readonly string[], goalName: (goal: number) => string): string[] {
  return units.flatMap((name, u) => {
    const on = d.hidden.flatMap((row, i) => (row[u] !== 0 ? [i] : []));
    if (on.length === 0 || on.length === d.hidden.length) return [];
    const goals = new Set(on.map((i) => goalName(d.goals[i]!)));
    const which = on.map((i) => `[${d.inputs[i]!.join(' ')}]`).join(', ');
    return [`${name} is on only for ${which}${goals.size === 1 ? ` (${[...goals][0]})` : ''}`];
  });
}

export function hiddenDatasetView(d: HiddenDataset | undefined, units: readonly string[], goalName: (goal: number) => string, goalLabel: string): HTMLElement {
  if (!d) {
    return h('p', { class: 'hint', id: 'hidden-dataset-none' }, 'This network has no hidden layer: its output learns from the lights themselves. Set the layers to 3,4,1 to see the dataset a hidden layer builds.');
  }
  const head = h('tr', {}, h('th', { scope: 'col' }, 'example'), ...units.map((u) => h('th', { scope: 'col' }, u)), h('th', { scope: 'col' }, goalLabel));
  const body = h('tbody');
  d.hidden.forEach((row, i) => {
    const lights = `[${d.inputs[i]!.join(' ')}]`;
    body.append(
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, lights),
        ...row.map((v, u) =>
          h('td', { 'data-example': String(i), 'data-unit': String(u), 'data-value': String(v), class: v === 0 ? 'off' : 'on', title: `layer_1[${i}][${u}]: ${units[u]} on ${lights}` }, short(v)),
        ),
        h('td', { class: 'goal' }, goalName(d.goals[i]!)),
      ),
    );
  });
  const r = h('tr', { class: 'net', 'data-row': 'correlation' }, h('th', { scope: 'row' }, `correlation with ${goalLabel}`));
  d.correlation.forEach((c, u) => r.append(h('td', { 'data-unit': String(u), 'data-correlation': c === undefined ? '' : String(c), title: c === undefined ? `${units[u]} is the same on every example: it correlates with nothing` : `Pearson's r of ${units[u]} with the goal` }, c === undefined ? '—' : c.toFixed(2))));
  r.append(h('td'));
  const p = h('tr', { class: 'net', 'data-row': 'pressure' }, h('th', { scope: 'row' }, 'pressure'));
  d.pressure.net.forEach((net, u) => {
    const up = d.pressure.up[u]!;
    const down = d.pressure.down[u]!;
    const text = up === 0 && down === 0 ? '0' : `↑${short(up)} ↓${short(down)}`;
    p.append(h('td', { 'data-unit': String(u), 'data-up': String(up), 'data-down': String(down), class: net > 0 ? 'p-up' : net < 0 ? 'p-down' : up > 0 ? 'p-conflict' : 'p-none', title: `pushed up by ${short(up)} in all (walk examples), down by ${short(down)} (stop examples)` }, text));
  });
  p.append(h('td'));
  body.append(r, p);
  const found = whereOn(d, units, goalName);
  return h(
    'div',
    { class: 'hidden-dataset-view' },
    h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'the hidden layer\'s dataset' }, h('table', { class: 'pressure-table', id: 'hidden-dataset' }, h('caption', {}, 'layer_1 per example at the current weights (float64 CPU reference)'), h('thead', {}, head), body)),
    found.length ? h('p', { class: 'hidden-found', id: 'hidden-found' }, `${found.join('; ')}.`) : null,
  );
}
