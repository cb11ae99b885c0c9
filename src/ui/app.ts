// The teaching page: settings in the URL and the form, a lesson (the seed's networks, or real
// digits) driven by the buttons, and its views redrawn after every operation. The trainers are the
// library's; the lessons draw their views; this file wires the page together.

import type { TrainTest } from '../data/idxSet.js';
import { BackpropError, DeviceLostError } from '../errors.js';
import { resolveRun, type LoadedWeights, type ResolvedRun } from '../train/resolve.js';
import { PageDevice } from './device.js';
import { byId, whenVisible } from './dom.js';
import { liveDraw, nextFrame, notice, onClick, showState, type State } from './controls.js';
import { importWeights, readDataset } from './files.js';
import { wireExports } from './exportButtons.js';
import { DrawPad, fetchMnist } from './digits.js';
import { SettingsForm } from './form.js';
import { Lab } from './lab/lab.js';
import { editsFromQuery, queryOfEdits } from './lab/files.js';
import { mountOverfitting } from './views/overfitting.js';
import { ComparedRuns, kindsTakeaway, showHiddenLayerArgument, threeKinds, type ContextFor } from './lessons/comparisons.js';
import { DigitsLesson, type DigitsViews } from './lessons/digitsLesson.js';
import type { Lesson } from './lessons/lesson.js';
import { SeedLesson, type SeedViews } from './lessons/seedLesson.js';
import { NO_EDITS } from '../gpu/shader.js';
import { exampleSettings, pageDataSource, queryFromSettings, runSettings, settingsFromQuery, type PageData, type Settings } from './settings.js';
import { ErrorChart } from './views/chart.js';
import { showStepTimings } from './views/timings.js';
import { lookup } from '../lookup.js';

/** Every card a lesson may show; each lesson names the ones it does. */
const LESSON_CARDS = ['digits-card', 'step-card', 'seed-views', 'overfit-card', 'hidden-card', 'error-card', 'correlation-card', 'lab-card'];

export class App {
  private settings: Settings;
  private lesson: Lesson | undefined;
  /** The run the lesson was made from (its data and starting weights), for the PyTorch export. */
  private resolved: ResolvedRun | undefined;
  private readonly device: PageDevice;
  private readonly form: SettingsForm;
  private readonly data: PageData = { remote: { mnist: () => fetchMnist() } };
  private readonly fetched = new Map<string, TrainTest>();
  private imported: LoadedWeights | undefined;
  /** Runs kept on the error chart, to compare the next one with. */
  private readonly compared = new ComparedRuns();
  private busy = false;
  /** The lesson being built, and whether another reset was asked for meanwhile (see reset). */
  private building: Promise<void> | undefined;
  private resetAgain = false;
  private readonly seedViews: SeedViews;
  private readonly digitsViews: DigitsViews;
  private lab: Lab | undefined;

  constructor() {
    this.settings = settingsFromQuery(location.search);
    this.seedViews = { chart: new ErrorChart(byId('chart')), kept: () => this.compared.curves, label: (c) => this.compared.label(c) };
    const pad = new DrawPad((image) => this.lesson?.showDrawing?.(image));
    byId('draw-wrap').append(pad.canvas);
    byId('draw-clear').addEventListener('click', () => pad.clear());
    this.digitsViews = { accuracyChart: new ErrorChart(byId('accuracy-chart'), 220, 'accuracy', false), pad };
    this.device = new PageDevice(
      (error) => {
        this.deviceLost(error);
        showState('error', this.lesson);
      },
      () => this.busy,
    );
    this.form = new SettingsForm(Object.keys(this.data.remote), {
      example: (name) => {
        this.settings = exampleSettings(name);
        this.imported = undefined;
        this.form.write(this.settings);
        void this.reset();
      },
      change: () => {
        this.settings = this.form.read(this.settings);
        if (this.imported && this.settings.layers !== this.imported.layers.join(',')) this.imported = undefined;
        void this.reset();
      },
      file: (file) => void this.loadDataset(file),
    });
  }

  async start(): Promise<void> {
    showState('starting', this.lesson);
    this.form.write(this.settings);
    this.wireButtons();
    await this.device.connect();
    if (this.device.problem) {
      notice('warning', `${this.device.problem}. The lesson runs on the float64 CPU reference instead: every view works, only the GPU is missing.`);
    }
    // Kernels edited in a shared link are compiled like any edit before the first run uses them.
    const { edits, problems } = editsFromQuery(location.search);
    if (problems.length) notice('warning', problems.join('; '));
    this.lab = new Lab({
      ctx: () => this.device.ctx,
      activation: () => this.settings.activation,
      changed: () => this.reset(),
      settings: (query) => {
        const layers = new URLSearchParams(query).get('layers');
        if (!layers || layers === this.settings.layers) return;
        this.settings = { ...this.settings, layers };
        this.imported = undefined;
        this.form.write(this.settings);
      },
    });
    for (const [name, code] of edits) {
      this.lab.open(name);
      this.lab.type(code);
      await this.lab.settled();
    }
    await this.reset();
    mountOverfitting();
    whenVisible(byId('correlation-card'), () => void showHiddenLayerArgument(this.contextFor));
    document.body.dataset.ready = 'true';
    if (this.settings.autorun) await this.run();
  }

  private readonly contextFor: ContextFor = (config, dataset) => this.device.contextFor(config, dataset, () => this.closeLesson());

  private async closeLesson(): Promise<void> {
    const old = this.lesson;
    this.lesson = undefined;
    old?.pause();
    await old?.close();
    if (old) this.compared.keep(old);
  }

  // --- running -------------------------------------------------------------------------------

  /**
   * Builds the lesson for the settings as they are. Builds never overlap: a reset asked for while
   * one builds (a student changing settings faster than the digits load) runs after it, so the
   * last change wins and no late build replaces a newer lesson.
   */
  private reset(): Promise<void> {
    if (this.building) {
      this.resetAgain = true;
      return this.building;
    }
    this.building = (async () => {
      try {
        do {
          this.resetAgain = false;
          await this.build();
        } while (this.resetAgain);
      } finally {
        this.building = undefined;
      }
    })();
    return this.building;
  }

  private async build(): Promise<void> {
    // Nothing runs or steps until the new lesson is there.
    showState('starting', this.lesson);
    await this.closeLesson();
    try {
      if (lookup(this.data.remote, this.settings.dataset) && !this.fetched.has(this.settings.dataset)) byId('epoch-report').textContent = 'Loading the digits…';
      const run = await resolveRun(runSettings(this.settings), pageDataSource(this.data, this.fetched), this.imported);
      const { config, dataset, test } = run;
      this.resolved = run;
      // The lab's edits go with the context the lesson compiles its kernels through, where the
      // lesson grades them; the digits set them aside (and keep them in the URL for the way back).
      const edits = this.lab?.edits ?? NO_EDITS;
      const ctx = await this.contextFor(config, dataset);
      this.lesson = test
        ? await DigitsLesson.create(config, dataset, test, run.weights(), ctx, this.digitsViews, [...edits.keys()])
        : await SeedLesson.create(config, dataset, run.weights(), ctx?.withEdits(edits), this.seedViews, this.lab?.grade ?? true);
      for (const id of LESSON_CARDS) byId(id).hidden = !this.lesson.cards.includes(id);
      this.lab?.compiledNow(this.lesson.compiledFiles);
      this.compared.runs++;
      const query = queryOfEdits(edits);
      history.replaceState(null, '', queryFromSettings({ ...this.settings, autorun: false }) + (query ? `&${query}` : '') + location.hash);
      this.form.error(undefined);
      showState('idle', this.lesson);
    } catch (error) {
      if (!this.refusedEdit(error)) this.form.error(describe(error));
      showState('error', this.lesson);
    }
    this.render();
  }

  /** An error an edited kernel caused is shown in the lab, beside the edit; true when it was. */
  private refusedEdit(error: unknown): boolean {
    const sentence = this.lab?.claim(error);
    if (sentence !== undefined) byId('announce').textContent = sentence;
    return sentence !== undefined;
  }

  private async guarded(work: () => Promise<unknown>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await work();
    } catch (error) {
      if (error instanceof DeviceLostError) this.deviceLost(error);
      else if (this.refusedEdit(error)) byId('notice').hidden = true;
      else notice('error', error instanceof BackpropError ? error.describe() : `Unexpected error: ${String(error)}`);
      showState('error', this.lesson);
    } finally {
      this.busy = false;
      this.render();
      this.gradeReport();
    }
  }

  /** After a run or step with edited kernels: where it went wrong, or whether an exercise is solved. */
  private gradeReport(): void {
    const grading = this.lesson?.grading?.();
    if (!grading || !this.lab) return;
    this.lab.showFailure(grading.failure);
    // An exercise is solved by a run that passes once its file is changed, edited or back as in shaders/.
    // Only a graded run solves one: an ungraded run was never compared dispatch by dispatch.
    this.lab.finished(grading.graded && grading.failure === undefined && grading.ok, grading.iterations);
  }

  /** Runs `work` on the current lesson, then says whether it is done or paused. */
  private drive(work: (lesson: Lesson) => Promise<void>, state: State = 'paused'): Promise<void> {
    const lesson = this.lesson;
    if (!lesson || lesson.done) return Promise.resolve();
    if (state === 'running') showState('running', this.lesson);
    return this.guarded(async () => {
      await work(lesson);
      if (lesson !== this.lesson) return;
      showState(lesson.done ? 'done' : 'paused', this.lesson);
      // One polite line for a screen reader: where the step or run ended, and GPU against CPU.
      byId('announce').textContent = lesson.announce();
    });
  }

  private run(): Promise<void> {
    return this.drive((l) => l.run(liveDraw(() => this.render()), nextFrame), 'running');
  }

  private async compareKinds(): Promise<void> {
    await this.guarded(async () => {
      const run = await resolveRun(runSettings(this.settings), pageDataSource(this.data, this.fetched), this.imported);
      const batch = Math.max(2, Math.min(run.dataset.rows - 1, Number(this.settings.batchSize) || 2));
      const kinds = await threeKinds(this.contextFor, run.config, run.dataset, run.weights(), batch);
      this.compared.setKinds(kinds);
      const takeaway = byId('kinds-takeaway');
      takeaway.textContent = kindsTakeaway(kinds);
      takeaway.hidden = false;
    });
  }

  /** The device is gone: say so, keep everything, offer to go on on a new one. */
  private deviceLost(error: DeviceLostError): void {
    const iteration = this.lesson?.checkpointIteration ?? 0;
    notice('error', `${error.message}. Nothing is lost: the weights after ${iteration} iterations, the last read back, are kept.`, {
      id: 'resume',
      label: 'Resume on a new device',
      run: () => void this.resume(),
    });
  }

  /** A new device, and a new session that goes on from the last checkpoint of the old one. */
  private async resume(): Promise<void> {
    await this.guarded(async () => {
      const lesson = this.lesson;
      const run = this.resolved;
      if (!lesson || !run) return;
      // The new device with the lab's edits, as the lesson's first one had them.
      const ctx = await this.device.replace(run.config, run.dataset);
      await lesson.resume(lesson.takesEdits ? ctx.withEdits(this.lab?.edits ?? NO_EDITS) : ctx);
      byId('notice').hidden = true;
      showState(lesson.done ? 'done' : 'paused', this.lesson);
    });
  }

  // --- the views -----------------------------------------------------------------------------

  private render(): void {
    if (this.lesson) this.lesson.render();
    else byId('position').textContent = '';
  }

  // --- controls ------------------------------------------------------------------------------

  private async loadDataset(file: File): Promise<void> {
    try {
      const dataset = await readDataset(file, Number(this.settings.layers.split(',').at(-1)) || 1);
      this.data.uploaded = dataset;
      this.form.fillDatasets(dataset);
      const layers = this.settings.layers.split(',').map(Number);
      const fits = layers[0] === dataset.inputSize && layers.at(-1) === dataset.outputSize;
      this.settings = { ...this.settings, dataset: dataset.name, layers: fits ? this.settings.layers : `${dataset.inputSize},4,${dataset.outputSize}` };
      this.imported = undefined;
      this.form.write(this.settings);
      await this.reset();
    } catch (error) {
      this.form.error(describe(error));
    }
  }

  private wireButtons(): void {
    onClick('run', () => this.run());
    onClick('pause', () => this.lesson?.pause());
    onClick('step-iteration', () => this.drive((l) => l.stepIteration(() => this.render(), nextFrame)));
    onClick('step-dispatch', () => this.drive((l) => l.stepDispatch()));
    onClick('step-back-bar', () => this.drive((l) => l.stepBack()));
    onClick('reset', () => this.reset());
    byId('dispatch').addEventListener('click', (e) => {
      if ((e.target as HTMLElement).closest('#step-back'))
        void this.drive((l) => l.stepBack()).then(() => {
          // The dispatch view was drawn again: focus goes to its new Step back, or to Step dispatch.
          if (document.activeElement === document.body) (document.querySelector<HTMLButtonElement>('#step-back:not(:disabled)') ?? byId('step-dispatch')).focus();
        });
    });
    onClick('compare', () => this.compareKinds());
    onClick('time-step', () => this.guarded(() => showStepTimings(this.lesson)));
    onClick('clear-runs', () => {
      this.compared.clear();
      this.render();
    });
    byId<HTMLInputElement>('log-scale').addEventListener('change', (e) => this.seedViews.chart.setLogScale((e.target as HTMLInputElement).checked));
    byId<HTMLInputElement>('per-update').addEventListener('change', (e) => this.seedViews.chart.setPerUpdate((e.target as HTMLInputElement).checked));
    wireExports({
      lesson: () => this.lesson,
      resolved: () => this.resolved,
      settings: () => this.settings,
      adapterName: () => this.device.ctx?.adapterName ?? 'CPU reference (float64)',
      failed: (text) => notice('error', text),
    });
    byId<HTMLInputElement>('import-weights').addEventListener('change', (e) => {
      const input = e.target as HTMLInputElement;
      const files = [...(input.files ?? [])];
      input.value = '';
      void (async () => {
        try {
          const { layers, weights } = await importWeights(files);
          const source = files.map((f) => f.name).join(', ');
          this.imported = { layers, weights, bias: weights.length > layers.length - 1, source };
          this.settings = { ...this.settings, layers: layers.join(',') };
          this.form.write(this.settings);
          await this.reset();
          byId('import-status').textContent = `Loaded ${source}: layers ${layers.join(',')}.`;
        } catch (error) {
          byId('import-status').textContent = describe(error);
        }
      })();
    });
  }
}

function describe(error: unknown): string {
  return error instanceof BackpropError ? error.describe() : String(error);
}
