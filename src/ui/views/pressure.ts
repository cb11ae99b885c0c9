// The seed's up and down pressure, twice: the lesson's table from the data alone (each example's
// goal pushes each light's weight up, down or not at all, as a single layer feels it), and beside
// it the actual push at the current weights (the sign of −weight_delta, for each example alone),
// with the units named: lights, hidden units h0, h1, … and the output. Dead hidden units are named.

import type { LessonPressure, PressureMatrix } from '../../train/pressure.js';
import { h } from '../dom.js';

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

/** The actual push at the current weights: a column per weight, labelled from → to. */
export function actualTables(matrices: PressureMatrix[], names: UnitNames, maxColumns = 48): HTMLElement {
  const wrap = h('div', { class: 'pressure' });
  matrices.forEach((m, l) => {
    const from = names.layers[l]!;
    const to = names.layers[l + 1]!;
    const cols = Math.min(m.net.length, maxColumns);
    const label = (k: number): string => `${from[Math.floor(k / m.cols)]}→${to[k % m.cols]}`;
    const head = h('tr', {}, h('th', {}, 'example'));
    for (let k = 0; k < cols; k++) head.append(h('th', { title: `${m.name}[${Math.floor(k / m.cols)}][${k % m.cols}]` }, label(k)));
    const body = h('tbody');
    m.perExample.forEach((signs, i) => {
      const tr = h('tr', {}, h('th', {}, String(i)));
      for (let k = 0; k < cols; k++) tr.append(cell(signs[k]!));
      body.append(tr);
    });
    const net = h('tr', { class: 'net' }, h('th', {}, 'net'));
    for (let k = 0; k < cols; k++) net.append(cell(m.net[k]!, `${m.up[k]} up, ${m.down[k]} down`));
    body.append(net);
    wrap.append(
      h('div', { class: 'pressure-name' }, h('code', {}, m.name), m.net.length > cols ? ` (first ${cols} of ${m.net.length} weights)` : ''),
      h('div', { class: 'scroll' }, h('table', { class: 'pressure-table', 'data-matrix': m.name }, h('thead', {}, head), body)),
    );
  });
  return wrap;
}

export function pressureView(lesson: LessonPressure | undefined, actual: PressureMatrix[], names: UnitNames, dead: number[], goalName: (goal: number) => string): HTMLElement {
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
        )
      : null,
    h(
      'div',
      { class: 'pressure-actual' },
      h('h3', {}, 'The actual push, at the current weights'),
      h('p', { class: 'hint' }, 'For each example alone, the sign of the update backpropagation makes to each weight now (−weight_delta): it also depends on the weights, the hidden units and how far off the prediction is.'),
      dead.length
        ? h(
            'p',
            { class: 'dead', 'data-dead': dead.join(',') },
            `${dead.map((u) => names.layers[1]![u]).join(', ')} never ${dead.length === 1 ? 'fires' : 'fire'} on any example: ${dead.length === 1 ? 'its' : 'their'} ReLU is always off, so ${dead.length === 1 ? 'it is' : 'they are'} dead: ${dead.length === 1 ? 'its' : 'their'} weights feel no pressure and pass nothing back.`,
          )
        : null,
      actualTables(actual, names),
    ),
  );
}
