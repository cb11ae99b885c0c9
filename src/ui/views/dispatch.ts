// What each dispatch does: the plan of a training step, one line of the seed's numpy per dispatch,
// and for the dispatch that just ran its WGSL, its workgroups and the buffers it read and wrote
// as read back from the GPU, beside the CPU reference's values.

import type { Step } from '../../ops/op.js';
import { h, short } from '../dom.js';
import type { BufferView, DispatchView } from '../session.js';
import { wgslBlock } from './wgsl.js';

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

function matrix(view: BufferView, which: 'values' | 'reference'): HTMLElement {
  const maxRows = 6;
  const maxCols = 8;
  const data = view[which];
  const table = h('table', { class: 'matrix' });
  for (let r = 0; r < Math.min(view.rows, maxRows); r++) {
    const tr = h('tr');
    for (let c = 0; c < Math.min(view.cols, maxCols); c++) {
      const v = data[r * view.cols + c]!;
      tr.append(h('td', { class: v > 0 ? 'pos' : v < 0 ? 'neg' : 'zero', title: String(v) }, short(v)));
    }
    if (view.cols > maxCols) tr.append(h('td', { class: 'more' }, '…'));
    table.append(tr);
  }
  if (view.rows > maxRows) table.append(h('tr', {}, h('td', { class: 'more' }, `… ${view.rows - maxRows} more rows`)));
  return table;
}

function bufferBlock(view: BufferView, role: string, onGpu: boolean): HTMLElement {
  return h(
    'div',
    { class: 'buffer', 'data-buffer': view.name },
    h(
      'div',
      { class: 'buffer-head' },
      h('code', {}, view.name),
      ` ${role}, (${view.rows}, ${view.cols})`,
      onGpu ? h('span', { class: 'diff', 'data-max-diff': view.maxDiff }, `|GPU − CPU| ≤ ${short(view.maxDiff)}`) : null,
    ),
    h(
      'div',
      { class: 'buffer-pair' },
      h('div', {}, h('div', { class: 'caption' }, onGpu ? 'GPU (float32)' : 'CPU (float64)'), matrix(view, 'values')),
      onGpu ? h('div', {}, h('div', { class: 'caption' }, 'CPU reference (float64)'), matrix(view, 'reference')) : null,
    ),
  );
}

export function dispatchDetail(view: DispatchView | undefined, onGpu: boolean): HTMLElement {
  if (!view) {
    return h(
      'p',
      { class: 'hint' },
      'Press “Step dispatch” to run one kernel at a time and see what it read and wrote.',
    );
  }
  const wg = view.workgroups;
  return h(
    'div',
    { class: 'dispatch', id: 'dispatch-detail', 'data-shader': view.step.source.name, 'data-op': view.step.op, 'data-step': view.index },
    h(
      'p',
      { class: 'dispatch-head' },
      `Iteration ${view.iteration}, batch ${view.batch}, dispatch ${view.index + 1}: `,
      h('code', { class: 'numpy' }, view.step.numpy),
      wg ? h('span', { class: 'wg' }, ` dispatchWorkgroups(${wg.join(', ')})`) : null,
      view.bound
        ? h(
            'span',
            { class: 'wg bound' },
            ` binds ${Object.entries(view.bound)
              .map(([k, v]) => `${k} = ${v}`)
              .join(', ')};`,
          )
        : null,
      view.constants
        ? h(
            'span',
            { class: 'wg' },
            ` with ${Object.entries(view.constants)
              .map(([k, v]) => `${k} = ${v}`)
              .join(', ')}`,
          )
        : null,
    ),
    h(
      'div',
      { class: 'dispatch-body' },
      wgslBlock(view.step.source),
      h(
        'div',
        { class: 'buffers' },
        ...view.read.map((b) => bufferBlock(b, 'read', onGpu)),
        ...view.written.map((b) => bufferBlock(b, 'written', onGpu)),
      ),
    ),
  );
}
