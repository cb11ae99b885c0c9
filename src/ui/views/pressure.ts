// The seed's up and down pressure, twice: the lesson's table from the data alone (each example's
// goal pushes each light's weight up, down or not at all, as a single layer feels it), and beside
// it the actual push at the current weights (the sign of −weight_delta, for each example alone),
// with the units named: lights, hidden units h0, h1, … and the output. Dead hidden units are named.

import type { LessonPressure, PressureMatrix } from '../../train/pressure.js';
import { append, h, short } from '../dom.js';

const SIGN = { '1': ['+', 'up'], '-1': ['−', 'down'], '0': ['0', 'none'] } as const;

function cell(sign: number, title?: string): HTMLElement {
  const [text, cls] = SIGN[String(Math.sign(sign)) as keyof typeof SIGN];
  return h('td', { class: `p-${cls}`, ...(title ? { title } : {}) }, text);
}

/** Names of the units of every layer: the data's own where it has them. */
export interface UnitNames {
  layers: string[][];
}

export function unitNames(layers: readonly number[], inputNames?: readonly string[], outputNames?: readonly string[]): UnitNames {
  const last = layers.length - 1;
  return {
    layers: layers.map((size, l) =>
      Array.from({ length: size }, (_, u) =>
        l === 0 ? (inputNames?.[u] ?? `x${u}`) : l === last ? (outputNames?.[u] ?? `y${u}`) : layers.length > 3 ? `h${l}.${u}` : `h${u}`,
      ),
    ),
  };
}

/** The lesson's table: a row per example with its lights and goal, a column per light. */
export function lessonTable(p: LessonPressure, names: UnitNames, goalName: (goal: number) => string): HTMLElement {
  const lights = names.layers[0]!;
  const head = h('tr', {}, h('th', {}, 'example'), ...lights.map((n) => h('th', {}, n)), h('th', {}, 'goal'));
  const body = h('tbody');
  p.examples.forEach((e, i) => {
    body.append(
      h(
        'tr',
        {},
        h('th', { title: `example ${i}` }, `[${e.inputs.join(' ')}]`),
        ...e.signs.map((s, k) => cell(s, `${lights[k]} is ${e.inputs[k] ? 'on' : 'off'}; goal ${goalName(e.goal)}`)),
        h('td', { class: 'goal' }, goalName(e.goal)),
      ),
    );
  });
  const net = h('tr', { class: 'net' }, h('th', {}, 'net'));
  p.net.forEach((s, k) => {
    const conflict = s === 0 && p.up[k]! > 0;
    const td = conflict ? h('td', { class: 'p-conflict' }, '±') : cell(s);
    td.title = `${p.up[k]} up, ${p.down[k]} down${conflict ? ': conflicting pressure' : ''}`;
    net.append(td);
  });
  net.append(h('td'));
  body.append(net);
  return h('div', { class: 'scroll' }, h('table', { class: 'pressure-table lesson-pressure', 'data-table': 'lesson' }, h('thead', {}, head), body));
}

/** "+0.125", "−0.5", "0": a push with its sign, short enough for a cell. */
function signed(v: number): string {
  return v === 0 ? '0' : `${v > 0 ? '+' : '−'}${short(Math.abs(v))}`;
}

/** A push as a number and a bar sized by it against the table's largest, coloured by direction. */
function pushCell(v: number, largest: number, title: string): HTMLElement {
  const [, cls] = SIGN[String(Math.sign(v)) as keyof typeof SIGN];
  const bar = h('span', { class: 'push-bar', 'aria-hidden': 'true' });
  // Sizes through the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
  bar.style.width = `${largest > 0 ? Math.round((Math.abs(v) / largest) * 100) : 0}%`;
  return h('td', { class: `p-${cls} push`, title, 'data-push': String(v) }, h('span', { class: 'push-value' }, signed(v)), bar);
}

/**
 * "left→h1 is pulled both ways: up by [0 1 1], down by [1 0 1] and [1 1 1]; net −0.012 (down)":
 * the weights the examples disagree on, the largest tug-of-war first.
 */
function conflicts(m: PressureMatrix, label: (k: number) => string, exampleNames: readonly string[], most = 4): string[] {
  const out: { text: string; size: number }[] = [];
  for (let k = 0; k < m.net.length; k++) {
    if (m.up[k] === 0 || m.down[k] === 0) continue;
    const by = (sign: number): string => exampleNames.filter((_, i) => m.perExample[i]![k] === sign).join(', ');
    const size = m.push.reduce((a, p) => a + Math.abs(p[k]!), 0);
    out.push({ text: `${label(k)} is pulled both ways: up by ${by(1)}, down by ${by(-1)}; net ${signed(m.sum[k]!)}${m.net[k]! > 0 ? ' (up)' : m.net[k]! < 0 ? ' (down)' : ''}`, size });
  }
  out.sort((a, b) => b.size - a.size);
  const shown = out.slice(0, most).map((o) => o.text);
  if (out.length > most) shown.push(`and ${out.length - most} more`);
  return shown;
}

/** The actual push at the current weights: a column per weight, labelled from → to, a row per example labelled by its inputs. */
export function actualTables(matrices: PressureMatrix[], names: UnitNames, exampleNames: readonly string[], maxColumns = 48): HTMLElement {
  const wrap = h('div', { class: 'pressure' });
  matrices.forEach((m, l) => {
    const from = names.layers[l]!;
    const to = names.layers[l + 1]!;
    const cols = Math.min(m.net.length, maxColumns);
    const label = (k: number): string => `${from[Math.floor(k / m.cols)]}→${to[k % m.cols]}`;
    let largest = 0;
    for (const p of m.push) for (let k = 0; k < cols; k++) largest = Math.max(largest, Math.abs(p[k]!));
    let largestNet = 0;
    for (let k = 0; k < cols; k++) largestNet = Math.max(largestNet, Math.abs(m.sum[k]!));
    const head = h('tr', {}, h('th', { scope: 'col' }, 'example'));
    for (let k = 0; k < cols; k++) head.append(h('th', { scope: 'col', title: `${m.name}[${Math.floor(k / m.cols)}][${k % m.cols}]` }, label(k)));
    const body = h('tbody');
    m.push.forEach((push, i) => {
      const tr = h('tr', {}, h('th', { scope: 'row' }, exampleNames[i] ?? String(i)));
      for (let k = 0; k < cols; k++) tr.append(pushCell(push[k]!, largest, `${exampleNames[i] ?? i} pushes ${label(k)} by ${signed(push[k]!)}`));
      body.append(tr);
    });
    const net = h('tr', { class: 'net' }, h('th', { scope: 'row' }, 'net'));
    for (let k = 0; k < cols; k++) net.append(pushCell(m.sum[k]!, largestNet, `${m.up[k]} up, ${m.down[k]} down: net ${signed(m.sum[k]!)}`));
    body.append(net);
    const both = conflicts(m, label, exampleNames);
    append(
      wrap,
      h('div', { class: 'pressure-name' }, h('code', {}, m.name), m.net.length > cols ? ` (first ${cols} of ${m.net.length} weights)` : '', cols > 4 ? `: ${cols} columns, scroll sideways for all` : ''),
      h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': `push on ${m.name}` }, h('table', { class: 'pressure-table', 'data-matrix': m.name }, h('thead', {}, head), body)),
      both.length ? h('p', { class: 'hint conflicts', 'data-conflicts': m.name }, `${both.join('. ')}.`) : null,
    );
  });
  return wrap;
}

export function pressureView(lesson: LessonPressure | undefined, actual: PressureMatrix[], names: UnitNames, dead: number[], goalName: (goal: number) => string, exampleNames: readonly string[]): HTMLElement {
  return h(
    'div',
    { class: 'pressure-views' },
    lesson
      ? h(
          'div',
          { class: 'pressure-lesson' },
          h('h3', {}, "The lesson's table"),
          h('p', { class: 'hint' }, "From the data alone: a light that is on is pushed up when the example's goal is to walk and down when it is to stop; a light that is off is not pushed. The net row adds the pushes; ± is conflicting pressure."),
          lessonTable(lesson, names, goalName),
          lesson.net.every((n, k) => n === 0 && lesson.up[k]! > 0)
            ? h('p', { class: 'hint', id: 'no-correlation' }, 'Here every light is pushed up as often as down: none correlates with walking on its own, so a single layer cannot learn these examples. The hidden layer builds a dataset that does correlate (below).')
            : null,
        )
      : null,
    h(
      'div',
      { class: 'pressure-actual' },
      h('h3', {}, 'The actual push, at the current weights'),
      h('p', { class: 'hint' }, 'For each example alone, the push backpropagation gives each weight now (−weight_delta; the update is alpha times it), with a bar sized against the table\'s largest. It also depends on the weights, the hidden units and how far off the prediction is. The net row adds the pushes: a bare sign can hide that one example pulls hard one way and the others weakly the other.'),
      dead.length
        ? h(
            'p',
            { class: 'dead', 'data-dead': dead.join(',') },
            `${dead.map((u) => names.layers[1]![u]).join(', ')} never ${dead.length === 1 ? 'fires' : 'fire'} on any example: ${dead.length === 1 ? 'its' : 'their'} ReLU is always off, so ${dead.length === 1 ? 'it is' : 'they are'} dead: ${dead.length === 1 ? 'its' : 'their'} weights feel no pressure and pass nothing back.`,
          )
        : null,
      actualTables(actual, names, exampleNames),
    ),
  );
}
