// The network as the lesson draws it: the input lights on the left, the hidden units, the output on
// the right, an edge per weight (red positive, blue and dotted negative, thicker for larger |w|). The buffers
// the current dispatch reads and writes light up: layers and weights going forward left to right,
// deltas (the rings) coming back right to left.

import { deltaName, layerName, weightDeltaName, weightsName } from '../../net/spec.js';
import type { Step } from '../../ops/op.js';
import type { UnitNames } from './pressure.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (SVGElement | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

/** Units per layer drawn at most: wider networks (the digits) are not drawn. */
export const MAX_DRAWN_UNITS = 24;

/** The diagram in words: its layers, what the step shown reads and writes, and where its weights' numbers are. */
function describeNetwork(layers: readonly number[], step: Step | undefined, reads: Set<string>, writes: Set<string>): string {
  const shape = `the network ${layers.join('-')}: ${layers[0]} inputs, ${layers.slice(1, -1).map((n) => `${n} hidden units`).join(', then ')}${layers.length > 2 ? ', ' : ''}${layers.at(-1)} ${layers.at(-1) === 1 ? 'output' : 'outputs'}`;
  const doing = step ? `; this dispatch reads ${[...reads].join(', ') || 'nothing'} and writes ${[...writes].join(', ') || 'nothing'}` : '';
  return `${shape}${doing}. Each weight, with its sign and size, is in the Weights card's tables.`;
}

export function networkDiagram(layers: readonly number[], weights: readonly ArrayLike<number>[], names: UnitNames, step?: Step): SVGSVGElement | null {
  if (layers.some((n) => n > MAX_DRAWN_UNITS)) return null;
  const width = 120 + 170 * (layers.length - 1);
  const tallest = Math.max(...layers);
  const height = 40 + 46 * tallest;
  const x = (l: number): number => 60 + 170 * l;
  const y = (l: number, u: number): number => 20 + (46 * tallest) / 2 + 46 * (u - (layers[l]! - 1) / 2);
  const reads = new Set(step?.reads ?? []);
  const writes = new Set(step?.writes ?? []);
  const state = (name: string): string => (writes.has(name) ? 'written' : reads.has(name) ? 'read' : '');
  const backward = step && (step.role === 'backward' || step.role === 'update' || step.role === 'loss');
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'network',
    role: 'img',
    'aria-label': describeNetwork(layers, step, reads, writes),
    'data-direction': step ? (backward ? 'backward' : 'forward') : '',
  });
  // Never drawn smaller than its own units: its text stays at 11 px or more, and a narrow screen
  // scrolls the diagram sideways inside its frame instead (through the CSSOM: the page's
  // Content-Security-Policy refuses inline style attributes).
  root.style.minWidth = `${width}px`;
  let scale = 0;
  for (const w of weights.slice(0, layers.length - 1)) for (let i = 0; i < w.length; i++) scale = Math.max(scale, Math.abs(w[i]!));
  for (let l = 0; l + 1 < layers.length; l++) {
    const w = weights[l]!;
    const edgeState = state(weightsName(l)) || (writes.has(weightDeltaName(l)) ? 'pressure' : '');
    const group = svg('g', { class: `edges ${edgeState}`, 'data-weights': weightsName(l) });
    for (let i = 0; i < layers[l]!; i++) {
      for (let j = 0; j < layers[l + 1]!; j++) {
        const v = w[i * layers[l + 1]! + j] ?? 0;
        group.append(
          svg(
            'line',
            {
              x1: x(l),
              y1: y(l, i),
              x2: x(l + 1),
              y2: y(l + 1, j),
              class: v >= 0 ? 'pos' : 'neg',
              'stroke-width': (0.6 + 4 * (scale ? Math.abs(v) / scale : 0)).toFixed(2),
            },
            svg('title', {}, `${weightsName(l)}[${i}][${j}] = ${v.toFixed(4)}: ${names.layers[l]![i]} → ${names.layers[l + 1]![j]}`),
          ),
        );
      }
    }
    root.append(group);
  }
  layers.forEach((size, l) => {
    const layerState = state(layerName(l)) || (l === layers.length - 1 && step && writes.has('goal') ? 'read' : '');
    const deltaState = l > 0 ? state(deltaName(l)) : '';
    const group = svg('g', { class: `units ${layerState}`, 'data-layer': layerName(l), ...(deltaState ? { 'data-delta': deltaState } : {}) });
    for (let u = 0; u < size; u++) {
      group.append(
        svg('circle', { cx: x(l), cy: y(l, u), r: 15, class: 'unit' }),
        ...(deltaState ? [svg('circle', { cx: x(l), cy: y(l, u), r: 20, class: `delta ${deltaState}` })] : []),
        svg('text', { x: x(l), y: names.layers[l]![u]!.length > 4 ? y(l, u) - 19 : y(l, u) + 4, 'text-anchor': 'middle', class: `unit-name${names.layers[l]![u]!.length > 4 ? ' long' : ''}` }, names.layers[l]![u]!),
      );
    }
    root.append(group);
  });
  if (step) {
    root.append(
      svg('text', { x: width / 2, y: height - 6, 'text-anchor': 'middle', class: 'direction' }, backward ? '← backpropagation: deltas flow right to left' : 'forward: values flow left to right →'),
    );
  }
  return root;
}

/** A swatch drawn as the diagram draws the thing it stands for. */
function swatch(...children: SVGElement[]): SVGSVGElement {
  return svg('svg', { class: 'network swatch', width: 28, height: 16, viewBox: '0 0 28 16', 'aria-hidden': 'true' }, ...children);
}

/** What the diagram's colours, thicknesses, rings and dashes mean, beside it. */
export function networkLegend(): HTMLUListElement {
  const item = (mark: SVGSVGElement, text: string): HTMLLIElement => {
    const li = document.createElement('li');
    li.append(mark, text);
    return li;
  };
  const edge = (cls: string, dash = false): SVGSVGElement => swatch(svg('g', { class: `edges${dash ? ' written' : ''}` }, svg('line', { x1: 2, y1: 8, x2: 26, y2: 8, class: cls, 'stroke-width': 3 })));
  const unit = (cls: string): SVGSVGElement => swatch(svg('g', { class: `units ${cls}` }, svg('circle', { cx: 14, cy: 8, r: 6, class: 'unit' })));
  const ul = document.createElement('ul');
  ul.className = 'legend';
  ul.setAttribute('aria-label', 'legend of the network diagram');
  ul.append(
    item(edge('pos'), 'positive weight'),
    item(edge('neg'), 'negative weight, dotted (thicker: larger |w|)'),
    item(unit('read'), 'layer read by this dispatch'),
    item(unit('written'), 'layer written'),
    item(swatch(svg('circle', { cx: 14, cy: 8, r: 6, class: 'delta written' })), "ring: the layer's delta (blue read, amber written)"),
    item(edge('pos', true), 'full colour: weights being updated, or their weight_delta computed (others faded)'),
  );
  return ul;
}
