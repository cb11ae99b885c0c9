// The benchmark page (bench.html): the cases of bench/cases.ts in the visitor's browser, on their
// GPU, ours against TF.js and jax-js, with the adapter's ceiling, a table and the results as JSON.
// ?quick=1 ticks "quick", ?variants=1 "every kernel", ?run=1 starts at once.

import '../src/ui/style.css';
import './bench.css';
import { createGpuContext } from '../src/gpu/context.js';
import { pageChoices } from '../src/gpu/choices.js';
import { figure as fmt, ratioText, runCases, type Row } from './cases.js';
import { loadPeers } from './peers.js';

const $ = <T extends HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;
const form = $<HTMLFormElement>('#options');
const run = $<HTMLButtonElement>('#run');
const status = $<HTMLParagraphElement>('#status');
const body = $<HTMLTableSectionElement>('#results tbody');
const json = $<HTMLTextAreaElement>('#json');
const copy = $<HTMLButtonElement>('#copy');
const field = (name: string): HTMLInputElement => form.elements.namedItem(name) as HTMLInputElement;


/** The column names, shown beside each value when a phone stacks a row (bench.css). */
const LABELS = [...document.querySelectorAll('#results thead th')].map((th) => th.textContent ?? '');

function cell(row: HTMLTableRowElement, text: string, className?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  td.dataset.label = LABELS[td.cellIndex] ?? '';
  if (className) td.className = className;
  return td;
}

function addRow(r: Row): void {
  const tr = body.insertRow();
  if (r.peerName.startsWith('best peer')) tr.className = 'best';
  cell(tr, r.case);
  cell(tr, r.peerName);
  cell(tr, fmt(r.ours), 'num');
  cell(tr, fmt(r.peer), 'num');
  cell(tr, r.unit);
  // Ahead (green) or behind (red) the peer; a target, met or missed, in its own colour: 3× ahead
  // of a peer is good news, but not when 10× was the goal.
  const ratio = cell(tr, '', `num ${r.ratio >= 1 ? 'ahead' : 'behind'}`);
  // One child, so that a phone's stacked row (bench.css) keeps the ratio and its target together.
  const value = document.createElement('span');
  value.textContent = ratioText(r.ratio);
  if (r.target) {
    const met = r.ratio >= r.target;
    const note = document.createElement('span');
    note.className = met ? 'target met' : 'target missed';
    note.textContent = ` (≥ ${r.target}× ${met ? 'met' : 'missed'})`;
    value.append(note);
  }
  ratio.append(value);
  cell(tr, r.ofCeiling !== undefined ? `${(100 * r.ofCeiling).toFixed(0)}%` : '', 'num');
  const variant = cell(tr, r.variant ?? '');
  // The kernel's output was checked against float64 (bench/check.ts): ✓ or, in red, the failure;
  // how, on hover.
  if (r.check) {
    variant.title = r.check.text;
    const mark = document.createElement('span');
    mark.className = r.check.ok ? 'checked' : 'checked wrong';
    mark.textContent = r.check.ok ? '\u00a0✓' : ' computed wrong results';
    variant.append(mark);
  }
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  if (params.get('quick') === '1') field('quick').checked = true;
  if (params.get('variants') === '1') field('variants').checked = true;
  if (!navigator.gpu) {
    status.textContent = 'WebGPU is not available in this browser (navigator.gpu is undefined): the benchmark needs it.';
    document.body.dataset.state = 'unavailable';
    document.body.dataset.ready = 'true';
    return;
  }
  const ctx = await createGpuContext(navigator.gpu, { maxStorageBufferBindingSize: 1 << 28, maxBufferSize: 1 << 28 });
  ctx.kernelChoices = pageChoices();
  $('#adapter').textContent = ctx.adapterName;
  // 4096³ needs 64 MB matrices; offer the large shapes only where the device takes them.
  const largeFits = ctx.limits.maxStorageBufferBindingSize >= 4096 * 4096 * 4 && ctx.limits.maxBufferSize >= 4096 * 4096 * 4;
  field('large').disabled = !largeFits;
  if (!largeFits) field('large').parentElement!.title = 'this adapter does not allow 64 MB buffers';
  status.textContent = 'Loading TF.js and jax-js…';
  const peers = await loadPeers(navigator.gpu);
  status.textContent = 'Ready. The run takes a few minutes (a minute when quick); keep this tab in front.';
  run.disabled = false;
  document.body.dataset.state = 'ready';
  document.body.dataset.ready = 'true';

  const rows: Row[] = [];
  run.addEventListener('click', () => {
    run.disabled = true;
    copy.disabled = true;
    body.replaceChildren();
    rows.length = 0;
    json.value = '';
    document.body.dataset.state = 'running';
    const quick = field('quick').checked;
    const variants = field('variants').checked;
    const runs = quick ? 1 : Number((form.elements.namedItem('runs') as HTMLSelectElement).value);
    const started = performance.now();
    void runCases({
      ctx,
      peers,
      quick,
      large: field('large').checked && !quick,
      variants,
      runs,
      warmup: 1,
      report: (row) => {
        rows.push(row);
        addRow(row);
      },
      say: (line) => {
        status.textContent = `Running: ${line}…`;
      },
    })
      .then((ceiling) => {
        const seconds = (performance.now() - started) / 1000;
        json.value = JSON.stringify({ date: new Date().toISOString(), adapter: ctx.adapterName, userAgent: navigator.userAgent, ceiling: ceiling.gflops, runs, quick, variants, seconds, rows }, null, 1);
        status.textContent = `Done in ${seconds.toFixed(0)} s on ${ctx.adapterName}: ceiling ${ceiling.gflops.toFixed(1)} GFLOPS.`;
        document.body.dataset.state = 'done';
      })
      .catch((error: unknown) => {
        status.textContent = `The benchmark stopped: ${(error as Error).message}`;
        document.body.dataset.state = 'failed';
      })
      .finally(() => {
        run.disabled = false;
        copy.disabled = rows.length === 0;
      });
  });
  copy.addEventListener('click', () => {
    json.select();
    const done = (how: string): void => void ($('#copied').textContent = how);
    navigator.clipboard?.writeText(json.value).then(
      () => done('copied'),
      () => done(document.execCommand('copy') ? 'copied' : 'select the text below and copy it'),
    ) ?? done(document.execCommand('copy') ? 'copied' : 'select the text below and copy it');
  });
  if (params.get('run') === '1') run.click();
}

main().catch((error: unknown) => {
  status.textContent = `WebGPU could not start: ${(error as Error).message}`;
  document.body.dataset.state = 'unavailable';
  document.body.dataset.ready = 'true';
});
