// What each dispatch does: the plan of a training step, one line of the seed's numpy per dispatch,
// and for the dispatch that just ran its WGSL, its workgroups and the buffers it read and wrote
// as read back from the GPU, beside the CPU reference's values.

import type { Step } from '../../ops/op.js';
import { h, short } from '../dom.js';
import type { BufferView, DispatchView } from '../dispatchView.js';
import { wgslBlock } from './wgsl.js';
import { describeTiming } from './timings.js';

export function planList(steps: readonly Step[], next: number, ran: number | undefined): HTMLElement {
  return h(
    'ol',
    { class: 'plan' },
    ...steps.map((step, i) => {
      const { reads, writes } = step;
      return h(
        'li',
        {
          class: i === ran ? 'ran' : i === next ? 'next' : i < next ? 'done' : '',
          'data-step': i,
          title: `reads ${reads.join(', ') || '—'}; writes ${writes.join(', ')}`,
        },
        h('code', { class: 'numpy' }, step.numpy),
        h('span', { class: 'tag' }, step.source.name),
      );
    }),
  );
}

/** A matrix of values, at most 6 × 8 shown, each cell tagged with its row and column. */
function matrix(view: BufferView, data: ArrayLike<number>): HTMLElement {
  const maxRows = 6;
  const maxCols = 8;
  const table = h('table', { class: 'matrix' });
  for (let r = 0; r < Math.min(view.rows, maxRows); r++) {
    const tr = h('tr');
    for (let c = 0; c < Math.min(view.cols, maxCols); c++) {
      const v = data[r * view.cols + c]!;
      tr.append(h('td', { class: v > 0 ? 'pos' : v < 0 ? 'neg' : 'zero', title: String(v), 'data-row': r, 'data-col': c }, short(v)));
    }
    if (view.cols > maxCols) tr.append(h('td', { class: 'more' }, '…'));
    table.append(tr);
  }
  if (view.rows > maxRows) table.append(h('tr', {}, h('td', { class: 'more' }, `… ${view.rows - maxRows} more rows`)));
  return table;
}

function bufferBlock(view: BufferView, role: 'read' | 'written', inPlace: boolean, onGpu: boolean): HTMLElement {
  // Each side scrolls sideways on its own when its matrix is wider than a phone: a region a
  // keyboard can reach, named for a screen reader.
  const side = (caption: string, data: ArrayLike<number>, cls = ''): HTMLElement =>
    h('div', { class: `side ${cls}`.trim(), tabindex: '0', role: 'region', 'aria-label': `${view.name}: ${caption}` }, h('div', { class: 'caption' }, caption), matrix(view, data));
  return h(
    'div',
    { class: 'buffer', 'data-buffer': view.name, 'data-role': role },
    h(
      'div',
      { class: 'buffer-head' },
      h('code', {}, view.name),
      ` ${inPlace ? 'read and written in place' : role}, (${view.rows}, ${view.cols})`,
      onGpu ? h('span', { class: 'diff', 'data-max-diff': view.maxDiff }, `|GPU − CPU| ≤ ${short(view.maxDiff)}`) : null,
    ),
    h(
      'div',
      { class: 'buffer-pair' },
      inPlace && view.before ? side('before', view.before, 'before') : null,
      side(inPlace ? `after, ${onGpu ? 'GPU (float32)' : 'CPU (float64)'}` : onGpu ? 'GPU (float32)' : 'CPU (float64)', view.values, 'after'),
      onGpu ? side('CPU reference (float64)', view.reference) : null,
    ),
  );
}

const KIND = { uniform: 'uniform', read: 'read', rw: 'read_write' } as const;

/** Which buffer is bound to which WGSL variable, with its shape; then the uniform's values. */
function bindingTable(view: DispatchView): HTMLElement {
  const written = new Set(view.step.writes);
  const rows = view.bindings.map((b) =>
    h(
      'tr',
      { 'data-binding': b.name },
      h('td', {}, h('code', {}, b.name)),
      h('td', {}, KIND[b.kind]),
      h('td', {}, b.buffer ? h('code', {}, b.buffer) : 'its own uniform'),
      h('td', {}, b.rows !== undefined ? `(${b.rows}, ${b.cols})` : '–'),
      h('td', {}, b.kind === 'uniform' ? 'read' : b.buffer && written.has(b.buffer) ? 'written' : b.buffer && view.step.reads.includes(b.buffer) ? 'read' : 'bound, not used here'),
    ),
  );
  const uniforms = view.uniforms ? Object.entries(view.uniforms).map(([k, v]) => `${k} = ${Number.isInteger(v) ? v : short(v)}`) : [];
  const constants = view.constants ? Object.entries(view.constants).map(([k, v]) => `${k} = ${String(v)}`) : [];
  return h(
    'div',
    { class: 'bindings' },
    h(
      'div',
      { class: 'scroll' },
      h('table', { class: 'binding-table' }, h('thead', {}, h('tr', {}, ...['WGSL', 'kind', 'buffer', 'shape', 'this dispatch'].map((t) => h('th', {}, t)))), h('tbody', {}, ...rows)),
    ),
    uniforms.length ? h('p', { class: 'uniforms' }, 'Uniform values: ', h('code', {}, uniforms.join(', '))) : null,
    constants.length ? h('p', { class: 'constants' }, 'Override constants, fixed when the pipeline was made: ', h('code', {}, constants.join(', '))) : null,
    view.variant ? h('p', { class: 'variant', 'data-variant': view.variant }, `Kernel variant: ${view.variant}, the one measured fastest for this shape on this adapter (or its default, for a small one).`) : null,
  );
}

/** "0 += 128, 1 += 129, …, 127 += 255": a level's pairs, the first and last few. */
function pairs(stride: number): string {
  const pair = (t: number): string => `${t} += ${t + stride}`;
  if (stride <= 4) return Array.from({ length: stride }, (_, t) => pair(t)).join(', ');
  return `${pair(0)}, ${pair(1)}, …, ${pair(stride - 1)}`;
}

/**
 * The parallel reduction as the WGSL runs it (shaders/output_delta.wgsl): each invocation's partial
 * sum, then one level per halving of the stride, each ended by a barrier, then invocation 0's add.
 */
function treeSumLevels(size: number, into: string, working: number): HTMLElement {
  const levels: HTMLElement[] = [
    h(
      'li',
      { 'data-level': '0' },
      `Each invocation t stores its own sum over elements t, t + ${size}, … in partial[t] (${working === 1 ? 'invocation 0 has the only element' : `invocations 0–${working - 1} have elements`}; the ${(size - working).toLocaleString('en')} others store 0). Then at each level the lower half adds the upper half's sums, and `,
      h('code', {}, 'workgroupBarrier()'),
      ` holds all ${size} invocations until every add of the level is done, so no level reads a sum still being written:`,
    ),
  ];
  let level = 1;
  for (let stride = size / 2; stride >= 1; stride /= 2, level++) {
    levels.push(
      h('li', { 'data-level': String(level), 'data-stride': String(stride), 'data-pairs': String(stride) }, `stride ${stride}: `, stride === 1 ? 'invocation 0 adds ' : `invocations 0–${stride - 1} add `, h('code', {}, pairs(stride)), '; barrier'),
    );
  }
  levels.push(h('li', { 'data-level': String(level) }, `invocation 0 adds partial[0], the sum of all ${size}, into ${into}[0]: ${Math.log2(size)} levels instead of ${size - 1} adds in a row, in a fixed order, so the sum is bitwise the same every run.`));
  return h('ol', { class: 'tree-sum', start: '0' }, ...levels);
}

/** Terms of a sum written out in full at most; a longer one shows its first and last few. */
const MAX_TERMS = 12;

/**
 * "(2, 0, 0): 1·−0.9998 + 0·−0.6275 + 1·−0.1616 = −1.161": the invocation that computed cell
 * (r, c), and its sum of products from the values it read, ending with the value it wrote.
 */
function showArithmetic(el: HTMLElement, view: DispatchView, r: number, c: number, [x, y]: [number, number]): void {
  const g = view.grid!;
  const products = g.grid.products?.(r, c);
  const out = view.written.find((b) => b.name === view.bound?.[g.grid.output]);
  const valueOf = (o: { binding: string; row: number; col: number }): number | undefined => {
    const b = [...view.read, ...view.written].find((v) => v.name === view.bound?.[o.binding]);
    if (!b) return undefined;
    const data = b.before && view.written.includes(b) ? b.before : b.values;
    return data[o.row * b.cols + o.col];
  };
  const wrote = out?.values[r * out.cols + c];
  if (!products || wrote === undefined) {
    el.textContent = `invocation (${x}, ${y}, 0) computes ${g.buffer}[${r}][${c}]${wrote === undefined ? '' : ` = ${short(wrote)}`}`;
    return;
  }
  const terms = products.map(([a, b]) => [valueOf(a), valueOf(b)] as const);
  if (terms.some(([a, b]) => a === undefined || b === undefined)) {
    el.textContent = `invocation (${x}, ${y}, 0) computes ${g.buffer}[${r}][${c}] = ${short(wrote)}`;
    return;
  }
  const text = terms.map(([a, b]) => `${short(a!)}·${short(b!)}`);
  const shown = text.length > MAX_TERMS ? [...text.slice(0, MAX_TERMS / 2), `… (${text.length - MAX_TERMS} more) …`, ...text.slice(-MAX_TERMS / 2)] : text;
  el.dataset.gid = `${x},${y}`;
  el.dataset.value = String(wrote);
  el.dataset.sum = String(terms.reduce((s, [a, b]) => s + a! * b!, 0));
  el.dataset.terms = String(terms.length);
  el.textContent = `(${x}, ${y}, 0): ${shown.join(' + ')} = ${short(wrote)}`;
}

/** Invocations drawn at most: a bigger dispatch is described in words. */
const MAX_DRAWN = 1024;

/**
 * The dispatch's invocation grid: one square per invocation, grouped into workgroups, those that
 * compute no output cell greyed; and the output matrix, whose cells point at the invocation that
 * computes them and at the cells of the inputs it reads.
 */
function gridPicture(view: DispatchView): HTMLElement | null {
  const g = view.grid;
  const wg = view.workgroups;
  if (!g || !wg) return null;
  const [sx, sy] = g.grid.size;
  const width = wg[0] * sx;
  const height = wg[1] * sy;
  const total = width * height;
  const owners = new Map<string, [number, number][]>();
  for (let r = 0; r < g.rows; r++) {
    for (let c = 0; c < g.cols; c++) {
      const [x, y] = g.grid.owner(r, c, g.stride);
      const key = `${x},${y}`;
      if (!owners.has(key)) owners.set(key, []);
      owners.get(key)!.push([r, c]);
    }
  }
  const tree = g.grid.treeSum;
  const summary = h(
    'p',
    { class: 'grid-summary' },
    `dispatchWorkgroups(${wg.join(', ')}) × workgroup of ${sx}${sy > 1 ? ` × ${sy}` : ''} = ${total.toLocaleString('en')} invocations; `,
    h('strong', {}, `${owners.size.toLocaleString('en')} compute`),
    ` the ${g.rows}×${g.cols} cells of `,
    h('code', {}, g.buffer),
    tree
      ? `, and then all ${total.toLocaleString('en')} take part in the tree sum into ${tree.into}[0]:`
      : `, ${(total - owners.size).toLocaleString('en')} find nothing to do and return.`,
  );
  const sum = tree ? treeSumLevels(total, tree.into, owners.size) : null;
  if (total > MAX_DRAWN || g.rows * g.cols > MAX_DRAWN) return h('div', { class: 'grid-picture' }, summary, sum);
  const invocations = h('div', { class: 'invocations', role: 'img', 'aria-label': 'invocation grid' });
  // Set through the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
  invocations.style.gridTemplateColumns = `repeat(${width}, 12px)`;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const cells = owners.get(`${x},${y}`);
      invocations.append(
        h('span', {
          class: `inv${cells ? '' : tree ? ' sum-only' : ' idle'}${x % sx === 0 ? ' wg-left' : ''}${y % sy === 0 ? ' wg-top' : ''}`,
          'data-gid': `${x},${y}`,
          title: `invocation (${x}, ${y}) in workgroup (${Math.floor(x / sx)}, ${Math.floor(y / sy)})${cells ? `: ${g.buffer}[${cells.map(([r, c]) => `${r}][${c}`).slice(0, 4).join('], [')}]${cells.length > 4 ? ' …' : ''}` : tree ? ': no cell; its partial sum is 0, and it takes part in the tree sum' : ': idle'}`,
        }),
      );
    }
  }
  const output = h('table', { class: 'out-grid' });
  for (let r = 0; r < g.rows; r++) {
    const tr = h('tr');
    // One Tab stop for the whole grid (the first cell); the arrow keys move between cells.
    for (let c = 0; c < g.cols; c++) tr.append(h('td', { 'data-row': r, 'data-col': c, tabindex: r === 0 && c === 0 ? 0 : -1, title: `${g.buffer}[${r}][${c}]`, 'aria-label': `${g.buffer}[${r}][${c}]` }));
    output.append(tr);
  }
  const picture = h(
    'div',
    { class: 'grid-picture' },
    summary,
    sum,
    h('p', { class: 'hint' }, `Point at a cell of ${g.buffer} to see the invocation that computes it and what it reads.`),
    h('div', { class: 'grid-pair' }, h('div', {}, h('div', { class: 'caption' }, g.buffer), output), h('div', { class: 'scroll' }, h('div', { class: 'caption' }, 'invocations (x →, y ↓)'), invocations)),
  );
  const arithmetic = h('p', { class: 'arithmetic', 'aria-live': 'polite' });
  picture.append(arithmetic);
  const highlight = (cell: HTMLElement | null): void => {
    const root = picture.closest('.dispatch') ?? picture;
    for (const el of root.querySelectorAll('.hot')) el.classList.remove('hot');
    if (!cell) return;
    const r = Number(cell.dataset.row);
    const c = Number(cell.dataset.col);
    cell.classList.add('hot');
    const [x, y] = g.grid.owner(r, c, g.stride);
    picture.querySelector(`[data-gid="${x},${y}"]`)?.classList.add('hot');
    showArithmetic(arithmetic, view, r, c, [x, y]);
    for (const read of g.grid.reads?.(r, c) ?? []) {
      const buffer = view.bound?.[read.binding];
      if (!buffer) continue;
      for (const td of root.querySelectorAll<HTMLElement>(`.buffer[data-buffer="${buffer}"] .after td[data-row], .buffer[data-buffer="${buffer}"][data-role="read"] td[data-row]`)) {
        const rowOk = read.row === undefined || Number(td.dataset.row) === read.row;
        const colOk = read.col === undefined || Number(td.dataset.col) === read.col;
        if (rowOk && colOk) td.classList.add('hot');
      }
    }
  };
  output.setAttribute('aria-label', `${g.buffer}: arrow keys move between cells; each shows the invocation that computes it`);
  output.addEventListener('keydown', (e) => {
    const cell = (e.target as HTMLElement).closest<HTMLElement>('td[data-row]');
    const step = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] }[e.key];
    if (!cell || !step) return;
    const r = Math.min(g.rows - 1, Math.max(0, Number(cell.dataset.row) + step[0]!));
    const c = Math.min(g.cols - 1, Math.max(0, Number(cell.dataset.col) + step[1]!));
    const next = output.querySelector<HTMLElement>(`td[data-row="${r}"][data-col="${c}"]`);
    if (!next) return;
    e.preventDefault();
    cell.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
  });
  // Leaving the grid clears what it lit.
  output.addEventListener('focusout', (e) => {
    if (!output.contains(e.relatedTarget as Node | null)) highlight(null);
  });
  output.addEventListener('mouseover', (e) => highlight((e.target as HTMLElement).closest('td')));
  output.addEventListener('focusin', (e) => highlight((e.target as HTMLElement).closest('td')));
  output.addEventListener('mouseleave', () => highlight(null));
  return picture;
}

export function dispatchDetail(view: DispatchView | undefined, onGpu: boolean, position?: { iterations: number; batches: number; dispatches: number; done?: boolean }): HTMLElement {
  if (!view && position?.done) {
    return h('div', { class: 'hint dispatch-empty' }, h('p', {}, 'The run is done. Press “Reset” to start again and step through a training step dispatch by dispatch.'));
  }
  if (!view) {
    return h(
      'div',
      { class: 'hint dispatch-empty' },
      h('p', {}, 'Press “Step dispatch” to run the next line alone and see what the GPU did: the kernel that ran, which buffer is bound to which of its variables, its grid of invocations, and the values it read and wrote beside the CPU’s.'),
    );
  }
  const where = position
    ? `Iteration ${view.iteration + 1} of ${position.iterations} · batch ${view.batch + 1} of ${position.batches} · dispatch ${view.index + 1} of ${position.dispatches}`
    : `Dispatch ${view.index + 1}`;
  const back = h('button', { id: 'step-back', type: 'button', title: view.back.ok ? 'Put back what this dispatch wrote, on the GPU and in the CPU reference' : view.back.why }, '↶ Step back');
  (back as HTMLButtonElement).disabled = !view.back.ok;
  const inPlace = new Set(view.step.writes.filter((n) => view.step.reads.includes(n)));
  return h(
    'div',
    { class: 'dispatch', id: 'dispatch-detail', 'data-shader': view.source.name, 'data-op': view.step.op, 'data-step': view.index },
    h('p', { class: 'dispatch-head' }, where),
    h('p', { class: 'dispatch-numpy' }, h('code', { class: 'numpy' }, view.step.numpy)),
    h('p', { class: 'explain' }, view.step.explain),
    view.timing ? h('p', { class: 'timing', 'data-ns': view.timing.ns, 'data-source': view.timing.source }, `Took ${describeTiming(view.timing)}: this one run, the first of a kernel included with its setup; “Time one step” gives steady-state figures.`) : null,
    h('div', { class: 'dispatch-tools' }, back, view.back.ok ? null : h('span', { class: 'hint' }, view.back.why)),
    onGpu && view.bindings.length ? bindingTable(view) : null,
    onGpu ? gridPicture(view) : h('p', { class: 'hint' }, 'Without WebGPU the CPU reference runs this line; there is no GPU dispatch to show.'),
    h(
      'div',
      { class: 'dispatch-body' },
      wgslBlock(view.source, { entryPoint: view.entryPoint ?? 'main', writes: view.bindings.filter((b) => b.kind === 'rw').map((b) => b.name) }),
      h(
        'div',
        { class: 'buffers' },
        ...view.read.map((b) => bufferBlock(b, 'read', false, onGpu)),
        ...view.written.map((b) => bufferBlock(b, 'written', inPlace.has(b.name), onGpu)),
      ),
    ),
  );
}
