// The lesson's example of overfitting, to try by hand: with the far lights weighted −0.5 and 0.5,
// [1 0 1] is predicted as 0 (stop), right, but for the wrong reason: the two weights cancel on that
// one example. The same weights are wrong on the others. Predictions are exact (float64).

import { streetlights } from '../../data/streetlights.js';
import { seededWeights } from '../../net/init.js';
import { resolveConfig } from '../../train/config.js';
import { CpuExecutor } from '../../train/cpuExecutor.js';
import { byId, clear, h } from '../dom.js';

/** The lesson's weights: 0.5 on the far right light, −0.5 on the far left, none on the middle. */
const LESSON = [-0.5, 0, 0.5];

/** The seed's first program (stochastic, alpha 0.1, 40 iterations from [0.5, 0.48, −0.7]) on the CPU reference: what training finds. */
function trained(): number[] {
  const dataset = streetlights();
  const config = resolveConfig({ layers: [3, 1], alpha: 0.1, iterations: 40, seed: 1 }, dataset);
  const start = seededWeights([3, 1], 1);
  start[0]!.set([0.5, 0.48, -0.7]);
  const cpu = new CpuExecutor(config, dataset, start);
  cpu.runIterations(config.iterations);
  return Array.from(cpu.weights[0]!);
}

export function mountOverfitting(): void {
  const dataset = streetlights();
  const names = dataset.inputNames!;
  const inputs = names.map((n, k) => h('input', { type: 'number', step: '0.1', value: String(LESSON[k]), name: `overfit-${n}`, 'aria-label': `weight on the ${n} light` }));
  const table = h('tbody');
  const verdict = h('p', { id: 'overfit-verdict', role: 'status' });
  const show = (): void => {
    const w = inputs.map((i) => (i.value.trim() === '' ? NaN : Number(i.value)));
    clear(table);
    if (w.some((v) => !Number.isFinite(v))) {
      delete verdict.dataset.right;
      verdict.textContent = 'Type a number for each of the three weights.';
      return;
    }
    let right = 0;
    const wrong: string[] = [];
    for (let r = 0; r < dataset.rows; r++) {
      const x = Array.from(dataset.inputs.subarray(r * 3, r * 3 + 3));
      const goal = dataset.targets[r]!;
      const prediction = x[0]! * w[0]! + x[1]! * w[1]! + x[2]! * w[2]!;
      // Right when the prediction is nearer the goal than the other answer (off by less than 0.5).
      const ok = Math.abs(prediction - goal) < 0.5;
      if (ok) right++;
      else wrong.push(`[${x.join(' ')}]`);
      table.append(
        h(
          'tr',
          { 'data-example': String(r), 'data-prediction': String(prediction), 'data-right': String(ok) },
          h('th', { scope: 'row' }, `[${x.join(' ')}]`),
          h('td', {}, goal ? 'walk (1)' : 'stop (0)'),
          h('td', {}, prediction.toFixed(4)),
          h('td', { class: ok ? 'right' : 'wrong' }, ok ? '✓ right' : `✗ off by ${Math.abs(prediction - goal).toFixed(2)}`),
        ),
      );
    }
    verdict.dataset.right = String(right);
    verdict.textContent =
      (right === dataset.rows ? `Right on all ${dataset.rows} examples.` : `Right on ${right} of ${dataset.rows}; wrong on ${[...new Set(wrong)].join(', ')}.`) +
      ' (Right: nearer the goal than the other answer, off by less than 0.5.)';
  };
  const set = (w: readonly number[]): void => {
    inputs.forEach((input, k) => (input.value = String(Number(w[k]!.toFixed(4)))));
    show();
  };
  for (const input of inputs) input.addEventListener('input', show);
  clear(
    byId('overfit'),
    h('div', { class: 'overfit-weights' }, ...inputs.map((input, k) => h('label', {}, `${names[k]} `, input))),
    h(
      'div',
      { class: 'tools' },
      h('button', { type: 'button', id: 'overfit-lesson' }, "The lesson's weights (−0.5, 0, 0.5)"),
      h('button', { type: 'button', id: 'overfit-trained' }, 'The weights training finds'),
    ),
    h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'predictions with these weights' }, h('table', { class: 'pressure-table', id: 'overfit-table' }, h('thead', {}, h('tr', {}, ...['example', 'goal', 'prediction', ''].map((t) => h('th', { scope: 'col' }, t)))), table)),
    verdict,
  );
  byId('overfit-lesson').addEventListener('click', () => set(LESSON));
  byId('overfit-trained').addEventListener('click', () => set(trained()));
  show();
}
