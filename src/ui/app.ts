// The teaching page: settings in the URL, a run driven by the buttons, and views redrawn from
// the run after every operation. The GPU trainer and its CPU shadow are the library's; this file
// only wires them to the page.

import { parseCsv } from '../data/csv.js';
import type { Dataset } from '../data/dataset.js';
import type { TrainTest } from '../data/idxSet.js';
import { parseJsonDataset } from '../data/json.js';
import { streetlights4 } from '../data/streetlights.js';
import { BUILTIN_DATASETS } from '../data/streetlights.js';
import { BackpropError, DataError, DeviceLostError } from '../errors.js';
import { createGpuContext, type GpuContext } from '../gpu/context.js';
import { seededWeights } from '../net/init.js';
import { weightShape, weightsName } from '../net/spec.js';
import { EXAMPLES, MODES, resolveConfig, type Mode, type TrainConfig } from '../train/config.js';
import { CpuPlan } from '../train/cpuPlan.js';
import { errorLine, pyFloat } from '../train/format.js';
import { GpuTrainer, deviceNeeds } from '../train/gpuTrainer.js';
import { pressure } from '../train/pressure.js';
import { isLogged } from '../train/run.js';
import { byId, clear, h, short } from './dom.js';
import { download, downloadWeightsJson, downloadWeightsNpy, importWeights } from './files.js';
import { DigitsRun, DrawPad, digitGrid, fetchMnist, firstLayerImages, outputBars } from './digits.js';
import { Session } from './session.js';
import { exampleSettings, queryFromSettings, resolve, settingsFromQuery, type Settings } from './settings.js';
import { ErrorChart, PALETTE, type Curve } from './views/chart.js';
import { dispatchDetail, planList } from './views/dispatch.js';
import { heatmap } from './views/heatmap.js';
import { pressureTable } from './views/pressure.js';

type State = 'starting' | 'idle' | 'running' | 'paused' | 'done' | 'error';

/** The form's inputs, named as the settings they hold (example is handled apart: it resets the rest). */
const FORM_FIELDS = ['dataset', 'layers', 'mode', 'batchSize', 'alpha', 'iterations', 'seed', 'logEvery', 'loss', 'init', 'alphaDecay', 'shift'] as const;
const FORM_FLAGS = ['bias', 'shuffle'] as const;

const nextFrame = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => r()));

export class App {
  private settings: Settings;
  private ctx: GpuContext | undefined;
  private gpuProblem: string | undefined;
  private session: Session | undefined;
  /** A run on real digits (the mnist example), instead of a session on the seed's data. */
  private digits: DigitsRun | undefined;
  private mnist: TrainTest | undefined;
  private readonly accuracyChart: ErrorChart;
  private readonly pad: DrawPad;
  private uploaded: Dataset | undefined;
  private imported: Float64Array[] | undefined;
  private kept: Curve[] = [];
  private runCount = 0;
  private readonly chart: ErrorChart;
  private readonly correlationChart: ErrorChart;
  private busy = false;

  constructor() {
    this.settings = settingsFromQuery(location.search);
    this.chart = new ErrorChart(byId('chart'));
    this.correlationChart = new ErrorChart(byId('correlation-chart'), 200);
    this.accuracyChart = new ErrorChart(byId('accuracy-chart'), 220, 'accuracy', false);
    this.pad = new DrawPad((image) => this.showDrawing(image));
    byId('draw-wrap').append(this.pad.canvas);
    byId('draw-clear').addEventListener('click', () => this.pad.clear());
  }

  /** The network's ten outputs for what was drawn on the pad. */
  private showDrawing(image: Float32Array | undefined): void {
    const wrap = byId('draw-outputs-wrap');
    if (!image || !this.digits) {
      clear(wrap, h('p', { class: 'hint' }, 'Draw a digit in the box; the network\'s ten outputs appear here.'));
      return;
    }
    clear(wrap, outputBars(this.digits.predict(image, 1)));
  }

  async start(): Promise<void> {
    this.setState('starting');
    this.buildForm();
    this.wireButtons();
    await this.connectGpu();
    await this.reset();
    await this.showCorrelation();
    document.body.dataset.ready = 'true';
    if (this.settings.autorun) await this.run();
  }

  // --- the GPU -------------------------------------------------------------------------------

  private async connectGpu(): Promise<void> {
    const adapter = byId('adapter');
    try {
      this.ctx = await createGpuContext(navigator.gpu, { maxStorageBufferBindingSize: 1 << 27, maxBufferSize: 1 << 28 });
      this.watchDevice(this.ctx);
      adapter.textContent = `GPU: ${this.ctx.adapterName}`;
      adapter.dataset.backend = 'gpu';
    } catch (error) {
      this.ctx = undefined;
      this.gpuProblem = error instanceof BackpropError ? error.describe() : String(error);
      adapter.textContent = 'CPU only (no WebGPU)';
      adapter.dataset.backend = 'cpu';
      this.notice(
        'warning',
        `${this.gpuProblem}. The lesson runs on the float64 CPU reference instead: every view works, only the GPU is missing.`,
      );
    }
  }

  /** A context whose limits fit `config`: the page's device is made again if a bigger network needs it. */
  private async contextFor(config: TrainConfig, dataset: Dataset): Promise<GpuContext | undefined> {
    if (!this.ctx) return undefined;
    const needs = deviceNeeds(config, dataset);
    const { limits } = this.ctx;
    if (needs.maxStorageBufferBindingSize <= limits.maxStorageBufferBindingSize && needs.maxBufferSize <= limits.maxBufferSize) return this.ctx;
    await this.session?.close();
    this.session = undefined;
    this.replacing = true;
    this.ctx.destroy();
    this.ctx = await createGpuContext(navigator.gpu, needs);
    this.replacing = false;
    this.watchDevice(this.ctx);
    return this.ctx;
  }

  // --- running -------------------------------------------------------------------------------

  private async reset(): Promise<void> {
    this.session?.pause();
    const old = this.session;
    this.session = undefined;
    await old?.close();
    if (old && old.trace.length > 0) this.keep(old);
    const oldDigits = this.digits;
    this.digits = undefined;
    await oldDigits?.close();
    try {
      if (this.settings.dataset === 'mnist' && !this.mnist) {
        byId('epoch-report').textContent = 'Loading the digits…';
        this.mnist = await fetchMnist();
      }
      const { config, dataset, test, weights } = resolve(this.settings, { uploaded: this.uploaded, mnist: this.mnist }, this.imported);
      const ctx = await this.contextFor(config, dataset);
      this.showMode(test !== undefined);
      if (test) {
        this.digits = await DigitsRun.create(config, dataset, test, weights, ctx);
        this.runCount++;
        history.replaceState(null, '', queryFromSettings({ ...this.settings, autorun: false }) + location.hash);
        this.formError(undefined);
        this.setState('idle');
        this.render();
        return;
      }
      this.session = await Session.create(config, dataset, weights, ctx);
      this.runCount++;
      history.replaceState(null, '', queryFromSettings({ ...this.settings, autorun: false }) + location.hash);
      this.formError(undefined);
      this.setState('idle');
    } catch (error) {
      this.formError(error);
      this.setState('error');
    }
    this.render();
  }

  private async guarded(work: () => Promise<unknown>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await work();
    } catch (error) {
      if (error instanceof DeviceLostError) this.deviceLost(error);
      else this.notice('error', error instanceof BackpropError ? error.describe() : `Unexpected error: ${String(error)}`);
      this.setState('error');
    } finally {
      this.busy = false;
      this.render();
    }
  }

  /** Digits and the seed's data show different views. */
  private showMode(digits: boolean): void {
    byId('digits-card').hidden = !digits;
    byId('step-card').hidden = digits;
    byId('seed-views').hidden = digits;
    byId('error-card').hidden = digits;
  }

  private async runDigits(epochs: number): Promise<void> {
    const run = this.digits;
    if (!run || run.done) return;
    this.setState('running');
    await this.guarded(async () => {
      const progress = (fraction: number): void => {
        byId('epoch-progress').style.width = `${(fraction * 100).toFixed(1)}%`;
      };
      if (epochs === Infinity) await run.runToEnd(progress, () => this.render(), nextFrame);
      else await run.runEpoch(progress, nextFrame);
      if (run !== this.digits) return;
      this.setState(run.done ? 'done' : 'paused');
    });
  }

  private async run(): Promise<void> {
    if (this.digits) return this.runDigits(Infinity);
    const session = this.session;
    if (!session || session.done) return;
    this.setState('running');
    await this.guarded(async () => {
      await session.runToEnd(() => this.render(), nextFrame);
      if (session !== this.session) return;
      this.setState(session.done ? 'done' : 'paused');
    });
  }

  private async stepIteration(): Promise<void> {
    if (this.digits) return this.runDigits(1);
    const session = this.session;
    if (!session || session.done) return;
    await this.guarded(async () => {
      await session.runIteration();
      this.setState(session.done ? 'done' : 'paused');
    });
  }

  private async stepDispatch(): Promise<void> {
    const session = this.session;
    if (!session || session.done) return;
    await this.guarded(async () => {
      await session.runDispatch();
      this.setState(session.done ? 'done' : 'paused');
    });
  }

  private label(config: TrainConfig): string {
    const mode = config.mode === 'batch' ? `batch ${config.batchSize}` : config.mode;
    return `${config.layers.join('-')} ${mode} α${config.alpha}`;
  }

  /** A run that is reset stays on the chart, dashed, so the next one can be compared with it. */
  private keep(session: Session): void {
    this.kept.push({
      label: `#${this.runCount} ${this.label(session.config)}`,
      errors: session.trace.map((e) => e.error),
      color: PALETTE[(this.kept.length + 1) % PALETTE.length]!,
      dash: true,
    });
    if (this.kept.length > 7) this.kept.shift();
  }

  /** Trains stochastic, mini-batch and full from the same start and overlays the three curves. */
  private async compareKinds(): Promise<void> {
    await this.guarded(async () => {
      const { config, dataset, weights } = resolve(this.settings, { uploaded: this.uploaded, mnist: this.mnist }, this.imported);
      const batch = Math.max(2, Math.min(dataset.rows - 1, Number(this.settings.batchSize) || 2));
      const kinds: [Mode, number | undefined][] = [
        ['stochastic', undefined],
        ['batch', batch],
        ['full', undefined],
      ];
      const curves: Curve[] = [];
      for (const [i, [mode, batchSize]] of kinds.entries()) {
        const c = resolveConfig({ ...config, mode, batchSize }, dataset);
        const errors = await this.trainQuietly(c, dataset, weights);
        curves.push({ label: `${mode === 'batch' ? `mini-batch ${batchSize}` : mode}`, errors, color: PALETTE[(i + 4) % PALETTE.length]!, dash: true });
      }
      this.kept = [...this.kept.filter((k) => !['stochastic', 'full'].includes(k.label) && !k.label.startsWith('mini-batch')), ...curves];
    });
  }

  /** A whole run without views: on the GPU when there is one. */
  private async trainQuietly(config: TrainConfig, dataset: Dataset, weights: Float64Array[]): Promise<number[]> {
    const ctx = await this.contextFor(config, dataset);
    if (!ctx) return new CpuPlan(config, dataset, weights).runIterations(config.iterations).map((e) => e.error);
    const trainer = await GpuTrainer.create(ctx, config, dataset, weights);
    try {
      return (await trainer.runIterations(config.iterations)).map((e) => e.error);
    } finally {
      trainer.destroy();
    }
  }

  /** The seed's argument: on the 4 streetlights no single light correlates, so 3-1 stalls and 3-4-1 learns. */
  private async showCorrelation(): Promise<void> {
    const dataset = streetlights4();
    const results: Curve[] = [];
    for (const [layers, color] of [
      [[3, 1], PALETTE[1]!],
      [[3, 4, 1], PALETTE[0]!],
    ] as const) {
      const config = resolveConfig({ layers, alpha: 0.2, iterations: 60, seed: 1 }, dataset);
      const errors = await this.trainQuietly(config, dataset, seededWeights(layers, 1));
      results.push({ label: layers.length === 2 ? '3-1: no hidden layer' : '3-4-1: hidden ReLU layer', errors, color });
    }
    this.correlationChart.show(results);
    const [one, two] = results.map((r) => r.errors.at(-1)!);
    const out = byId('correlation-result');
    out.dataset.single = String(one);
    out.dataset.hidden = String(two);
    clear(
      out,
      'After 60 iterations the single-layer net is stuck at error ',
      h('strong', {}, pyFloat(one!, true)),
      ' while the two-layer net reaches ',
      h('strong', {}, pyFloat(two!, true)),
      '.',
    );
  }

  /** The device is gone: say so, keep everything, offer to go on on a new one. */
  private deviceLost(error: DeviceLostError): void {
    const iteration = this.session?.checkpoint.iteration ?? 0;
    this.notice(
      'error',
      `${error.message}. Nothing is lost: the weights after ${iteration} iterations, the last read back, are kept.`,
      { id: 'resume', label: 'Resume on a new device', run: () => void this.resume() },
    );
  }

  /** A new device, and a new session that goes on from the last checkpoint of the old one. */
  private async resume(): Promise<void> {
    await this.guarded(async () => {
      const old = this.session;
      if (!old) return;
      const point = old.resumePoint;
      this.session = undefined;
      await old.close();
      this.ctx?.destroy();
      this.ctx = await createGpuContext(navigator.gpu, deviceNeeds(old.config, old.dataset));
      this.watchDevice(this.ctx);
      this.session = await Session.create(old.config, old.dataset, [...old.initialWeights], this.ctx, point);
      byId('notice').hidden = true;
      this.setState(this.session.done ? 'done' : 'paused');
    });
  }

  /** A device lost while nothing runs (a driver reset, say) is reported at once. */
  private watchDevice(ctx: GpuContext): void {
    void ctx.device.lost.then((info) => {
      if (ctx !== this.ctx || info.reason === 'destroyed' && this.replacing) return;
      if (!this.busy) {
        this.deviceLost(new DeviceLostError(info.reason, info.message));
        this.setState('error');
      }
    });
  }

  private replacing = false;

  // --- the views -----------------------------------------------------------------------------

  private setState(state: State): void {
    document.body.dataset.state = state;
    const running = state === 'running';
    const current = this.session ?? this.digits;
    const done = current?.done ?? true;
    const set = (id: string, disabled: boolean): void => void ((byId<HTMLButtonElement>(id).disabled = disabled));
    set('run', running || done || !current);
    set('pause', !running);
    set('step-iteration', running || done || !current);
    // Dispatch stepping walks the teaching plan, which covers the seed's networks.
    set('step-dispatch', running || done || !this.session);
    set('reset', false);
  }

  private renderDigits(run: DigitsRun): void {
    const position = byId('position');
    position.dataset.steps = String(run.epoch);
    position.dataset.epoch = String(run.epoch);
    position.textContent = `epoch ${run.epoch} of ${run.config.iterations} · ${run.train.rows.toLocaleString('en')} digits per epoch`;
    const checkBadge = byId('check');
    checkBadge.dataset.ok = run.onGpu ? 'not-shadowed' : 'cpu-only';
    checkBadge.className = 'badge';
    checkBadge.textContent = run.onGpu ? 'fast plan (checked against the CPU in npm test)' : 'CPU reference only';
    const last = run.epochs.at(-1);
    const report = byId('epoch-report');
    if (last) {
      report.dataset.testAccuracy = String(last.testAccuracy);
      report.dataset.trainAccuracy = String(last.trainAccuracy);
      report.textContent = `Epoch ${last.epoch + 1}: ${(last.trainAccuracy * 100).toFixed(2)}% of the training digits right while training, ${(last.testAccuracy! * 100).toFixed(2)}% of the held-out digits.`;
    } else {
      delete report.dataset.testAccuracy;
      report.textContent = 'Press Run (or Step iteration for one epoch).';
    }
    this.accuracyChart.show([
      { label: 'train', errors: run.epochs.map((e) => e.trainAccuracy), color: PALETTE[0]! },
      { label: 'test', errors: run.epochs.map((e) => e.testAccuracy!), color: PALETTE[1]! },
    ]);
    clear(byId('digit-grid-wrap'), digitGrid(run));
    clear(byId('unit-images-wrap'), firstLayerImages(run));
    this.showDrawing(this.pad.image());
    byId('log').textContent = run.epochs
      .map((e) => `epoch ${e.epoch + 1}/${run.config.iterations}: train accuracy ${e.trainAccuracy.toFixed(4)}, test accuracy ${e.testAccuracy!.toFixed(4)}`)
      .join('\n');
  }

  private render(): void {
    if (this.digits) {
      this.renderDigits(this.digits);
      return;
    }
    const s = this.session;
    const position = byId('position');
    const checkBadge = byId('check');
    if (!s) {
      position.textContent = '';
      return;
    }
    const where = s.where;
    const batches = s.shadow.cpu.batches.length;
    position.dataset.steps = String(where.steps);
    position.dataset.lastError = String(s.trace.at(-1)?.error ?? '');
    position.textContent = `iteration ${Math.min(where.iteration + (where.batch || where.dispatch ? 1 : 0), s.config.iterations)} of ${s.config.iterations} · batch ${where.batch + 1} of ${batches} · ${where.steps} updates`;

    if (s.onGpu) {
      const c = s.check;
      checkBadge.dataset.ok = String(c.ok);
      checkBadge.dataset.maxDiff = String(c.maxDiff);
      checkBadge.textContent = c.ok
        ? `GPU = CPU · largest |Δw| ${short(c.maxDiff)} (bound ${short(c.bound)})`
        : `GPU ≠ CPU beyond the tolerance`;
      checkBadge.title = c.detail ?? 'Every step is shadowed by the float64 CPU reference; the bound grows with the steps.';
      checkBadge.className = `badge ${c.ok ? 'ok' : 'bad'}`;
    } else {
      checkBadge.dataset.ok = 'cpu-only';
      checkBadge.textContent = 'CPU reference only';
      checkBadge.className = 'badge';
    }

    const plan = s.plan;
    clear(byId('plan'), planList(plan, where.dispatch, s.lastDispatch && s.lastDispatch.batch === where.batch ? s.lastDispatch.index : undefined));
    clear(byId('dispatch'), dispatchDetail(s.lastDispatch, s.onGpu));

    const live: Curve = { label: `#${this.runCount} ${this.label(s.config)}`, errors: s.trace.map((e) => e.error), color: PALETTE[0]! };
    this.chart.show([live, ...this.kept]);

    const weights = byId('weights');
    clear(weights, ...s.weights.map((w, l) => heatmap(weightsName(l), w, ...weightShape(s.config.layers, l))));

    clear(byId('pressure'), pressureTable(pressure(s.config.layers, s.weights, s.dataset)));

    const lines = s.trace.filter((e) => isLogged(e.iteration, s.config)).map((e) => errorLine(e.error, s.onGpu));
    byId('log').textContent = lines.join('\n');
  }

  private notice(kind: 'warning' | 'error', text: string, action?: { id: string; label: string; run: () => void }): void {
    const el = byId('notice');
    el.hidden = false;
    el.className = `notice ${kind}`;
    el.dataset.kind = kind;
    clear(el, h('span', {}, text));
    if (action) {
      const button = h('button', { id: action.id, type: 'button', class: 'primary' }, action.label);
      button.addEventListener('click', action.run);
      el.append(' ', button);
    }
  }

  private formError(error: unknown): void {
    const el = byId('form-error');
    el.textContent = error === undefined ? '' : error instanceof BackpropError ? error.describe() : String(error);
    el.hidden = error === undefined;
  }

  // --- controls ------------------------------------------------------------------------------

  private buildForm(): void {
    const form = byId<HTMLFormElement>('settings');
    const example = form.elements.namedItem('example') as HTMLSelectElement;
    for (const [name, e] of Object.entries(EXAMPLES)) example.append(h('option', { value: name, title: e.description }, name));
    const mode = form.elements.namedItem('mode') as HTMLSelectElement;
    for (const m of MODES) mode.append(h('option', { value: m }, m === 'batch' ? 'mini-batch' : m));
    this.fillDatasets();
    this.writeForm();

    form.addEventListener('submit', (e) => e.preventDefault());
    form.addEventListener('change', (event) => {
      const target = event.target as HTMLInputElement;
      if (target.name === 'file') return;
      if (target.name === 'example') {
        this.settings = exampleSettings(target.value);
        this.imported = undefined;
        this.writeForm();
      } else {
        this.readForm();
      }
      void this.reset();
    });
    (form.elements.namedItem('file') as HTMLInputElement).addEventListener('change', (e) => {
      const input = e.target as HTMLInputElement;
      const file = input.files?.[0];
      input.value = '';
      if (file) void this.loadDataset(file);
    });
  }

  private fillDatasets(): void {
    const select = (byId<HTMLFormElement>('settings').elements.namedItem('dataset') as HTMLSelectElement);
    select.replaceChildren(...[...Object.keys(BUILTIN_DATASETS), 'mnist'].map((name) => h('option', { value: name }, name)));
    if (this.uploaded) select.append(h('option', { value: this.uploaded.name }, `${this.uploaded.name} (file)`));
  }

  private writeForm(): void {
    const form = byId<HTMLFormElement>('settings');
    const s = this.settings;
    (form.elements.namedItem('example') as HTMLSelectElement).value = s.example;
    for (const name of FORM_FIELDS) (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value = s[name];
    for (const name of FORM_FLAGS) (form.elements.namedItem(name) as HTMLInputElement).checked = s[name];
    (form.elements.namedItem('batchSize') as HTMLInputElement).disabled = s.mode !== 'batch';
  }

  private readForm(): void {
    const form = byId<HTMLFormElement>('settings');
    const next: Settings = { ...this.settings };
    for (const name of FORM_FIELDS) (next as unknown as Record<string, string>)[name] = (form.elements.namedItem(name) as HTMLInputElement).value;
    for (const name of FORM_FLAGS) next[name] = (form.elements.namedItem(name) as HTMLInputElement).checked;
    this.settings = next;
    if (this.imported && this.settings.layers !== this.importedLayers) this.imported = undefined;
    (form.elements.namedItem('batchSize') as HTMLInputElement).disabled = this.settings.mode !== 'batch';
  }

  private importedLayers: string | undefined;

  private async loadDataset(file: File): Promise<void> {
    try {
      const text = await file.text();
      const lower = file.name.toLowerCase();
      const outputs = Number(this.settings.layers.split(',').at(-1)) || 1;
      let dataset: Dataset;
      if (lower.endsWith('.csv')) dataset = parseCsv(file.name, text, outputs);
      else if (lower.endsWith('.json')) dataset = parseJsonDataset(file.name, text);
      else throw new DataError(`${file.name}: choose a .csv or .json file`);
      this.uploaded = dataset;
      this.fillDatasets();
      const layers = this.settings.layers.split(',').map(Number);
      const fits = layers[0] === dataset.inputSize && layers.at(-1) === dataset.outputSize;
      this.settings = {
        ...this.settings,
        dataset: dataset.name,
        layers: fits ? this.settings.layers : `${dataset.inputSize},4,${dataset.outputSize}`,
      };
      this.imported = undefined;
      this.writeForm();
      await this.reset();
    } catch (error) {
      this.formError(error);
    }
  }

  private wireButtons(): void {
    byId('run').addEventListener('click', () => void this.run());
    byId('pause').addEventListener('click', () => {
      this.session?.pause();
      this.digits?.pause();
    });
    byId('step-iteration').addEventListener('click', () => void this.stepIteration());
    byId('step-dispatch').addEventListener('click', () => void this.stepDispatch());
    byId('reset').addEventListener('click', () => void this.reset());
    byId('compare').addEventListener('click', () => void this.compareKinds());
    byId('clear-runs').addEventListener('click', () => {
      this.kept = [];
      this.render();
    });
    byId<HTMLInputElement>('log-scale').addEventListener('change', (e) => this.chart.setLogScale((e.target as HTMLInputElement).checked));
    byId('export-weights').addEventListener('click', () => {
      const s = this.session ?? this.digits;
      if (s) downloadWeightsJson(s.config.layers, s.weights);
    });
    byId('export-npy').addEventListener('click', () => {
      const s = this.session ?? this.digits;
      if (s) downloadWeightsNpy(s.config.layers, s.weights);
    });
    byId('export-trace').addEventListener('click', () => {
      const s = this.session;
      if (!s) return;
      const trace = {
        format: 'webgpu-backprop/trace',
        version: 1,
        settings: { ...this.settings, autorun: undefined },
        adapter: this.ctx?.adapterName ?? 'CPU reference (float64)',
        layers: s.config.layers,
        mode: s.config.mode,
        batchSize: s.config.batchSize,
        alpha: s.config.alpha,
        steps: s.where.steps,
        errors: s.trace,
        reference: s.referenceTrace,
        check: s.onGpu ? s.check : undefined,
      };
      download('trace.json', `${JSON.stringify(trace, null, 1)}\n`, 'application/json');
    });
    byId<HTMLInputElement>('import-weights').addEventListener('change', (e) => {
      const input = e.target as HTMLInputElement;
      const files = [...(input.files ?? [])];
      input.value = '';
      void (async () => {
        try {
          const { layers, weights } = await importWeights(files);
          this.imported = weights;
          this.importedLayers = layers.join(',');
          this.settings = { ...this.settings, layers: this.importedLayers };
          this.writeForm();
          await this.reset();
          byId('import-status').textContent = `Loaded ${files.map((f) => f.name).join(', ')}: layers ${layers.join(',')}.`;
        } catch (error) {
          byId('import-status').textContent = error instanceof BackpropError ? error.describe() : String(error);
        }
      })();
    });
  }
}
