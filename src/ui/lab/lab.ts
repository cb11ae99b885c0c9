// The shader lab: edit any file of the teaching plan in a WGSL editor (CodeMirror 6), compiled on
// every change with the compiler's own messages shown at their lines; an edit that compiles is
// what every kernel built afterwards runs, and the run is graded against the float64 reference
// dispatch by dispatch (session.ts). Exercises load a broken file; progress is kept in the browser.

import { wgsl } from '@iizukak/codemirror-lang-wgsl';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { basicSetup, EditorView } from 'codemirror';
import { GpuError, LoopGuardError } from '../../errors.js';
import type { GpuContext } from '../../gpu/context.js';
import { sourceLine } from '../../gpu/shader.js';
import { compilerMessage } from '../../gpu/wgsl.js';
import { byId, clear, h, short } from '../dom.js';
import type { Failure } from '../grading.js';
import { heatmap } from '../views/heatmap.js';
import { EXERCISES, type Exercise } from './exercises.js';
import { checkUnit, endlessLoop, LAB_FILES } from './files.js';

const STORAGE = 'webgpu-backprop.lab.solved';

export interface LabHost {
  ctx(): GpuContext | undefined;
  activation(): string;
  /** An edit was applied or undone: the run starts again with the kernels as they are now. */
  changed(): Promise<void>;
  /** An exercise wants other settings (a deeper network, say). */
  settings(query: string): void;
}

export class Lab {
  /** The edited files, by name: the lessons compile them in place of shaders/ (GpuContext.withEdits). */
  readonly edits = new Map<string, string>();
  private file = 'relu';
  private readonly editor: EditorView;
  private exercise: Exercise | undefined;
  /** The files the current lesson compiles; undefined until a lesson is made. */
  private compiled: ReadonlySet<string> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private compiling: Promise<void> = Promise.resolve();
  private loading = false;

  constructor(private readonly host: LabHost) {
    const select = byId<HTMLSelectElement>('lab-file');
    select.replaceChildren(...Object.keys(LAB_FILES).map((name) => h('option', { value: name }, `shaders/${name}.wgsl`)));
    select.value = this.file;
    select.addEventListener('change', () => this.open(select.value));
    const shadow = byId('lab-editor').attachShadow({ mode: 'open' });
    this.editor = new EditorView({
      doc: this.code(this.file),
      extensions: [
        basicSetup,
        wgsl(),
        lintGutter(),
        // Long lines wrap: no sideways scroll, so a click near a line's end never hides column 0,
        // and a phone shows whole lines.
        EditorView.lineWrapping,
        // What a screen reader calls the editor.
        EditorView.contentAttributes.of({ 'aria-label': 'WGSL editor' }),
        // As tall as its file: no scroller of its own inside the page's (one that a keyboard could
        // not reach), and long lines wrap (above).
        EditorView.theme({ '&': { fontSize: '12px' } }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged && !this.loading) this.schedule();
        }),
      ],
      // In a shadow root, CodeMirror's styles go in through constructed style sheets: the page's
      // Content-Security-Policy (style-src 'self') refuses the <style> element it adds otherwise.
      root: shadow,
      parent: shadow,
    });
    // Lines are measured again once the page's fonts are in: measured before, the line numbers
    // sat out of line with the code until the next edit.
    void document.fonts?.ready.then(() => this.editor.requestMeasure());
    byId('lab-reset').addEventListener('click', () => void this.reset());
    byId<HTMLInputElement>('lab-grade').addEventListener('change', () => {
      this.showApplied();
      void this.host.changed();
    });
    this.renderExercises();
  }

  /** The text of a file as it runs now: edited, or as in shaders/. */
  private code(name: string): string {
    return this.edits.get(name) ?? LAB_FILES[name]!.code;
  }

  /** Shows another file in the editor. */
  open(name: string, text = this.code(name)): void {
    this.file = name;
    byId<HTMLSelectElement>('lab-file').value = name;
    this.loading = true;
    this.editor.dispatch({ changes: { from: 0, to: this.editor.state.doc.length, insert: text } });
    this.loading = false;
    this.status(undefined);
  }

  /** The editor's text, for tests and for the exercise check. */
  get text(): string {
    return this.editor.state.doc.toString();
  }

  /** Replaces the editor's text as typing would (compiled after a pause). */
  type(text: string): void {
    this.editor.dispatch({ changes: { from: 0, to: this.editor.state.doc.length, insert: text } });
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.compiling = this.compile();
    }, 300);
  }

  /** Compiles the edit; one that compiles is applied, one that does not is shown at its line. */
  private async compile(): Promise<void> {
    const ctx = this.host.ctx();
    const name = this.file;
    const text = this.text;
    if (!ctx) {
      this.status({ ok: false, text: 'The lab compiles and runs kernels on the GPU: this browser has no WebGPU.' });
      return;
    }
    const endless = endlessLoop(text);
    if (endless) {
      this.status({ ok: false, text: `Not run: ${endless}.`, line: Number(/^line (\d+)/.exec(endless)![1]) });
      return;
    }
    const { shader } = checkUnit(name, text, this.host.activation(), this.edits);
    // Compiled only, never evaluated as script: the text reaches nothing but the WGSL compiler.
    // Inside an error scope: a module that does not compile is a validation error, which would
    // otherwise reach the device as uncaptured and fail the next run (getCompilationInfo below
    // holds the messages the student sees).
    ctx.device.pushErrorScope('validation');
    const module = ctx.device.createShaderModule({ label: `lab: shaders/${name}.wgsl`, code: shader.code });
    await ctx.device.popErrorScope();
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    const diagnostics: Diagnostic[] = [];
    const lines: string[] = [];
    for (const m of errors) {
      const at = sourceLine(shader, m.lineNum);
      const message = compilerMessage(m.message);
      if (at.file !== name) {
        lines.push(`shaders/${at.file}.wgsl:${at.line}:${m.linePos}: ${message}`);
        continue;
      }
      const line = this.editor.state.doc.line(Math.min(Math.max(1, at.line), this.editor.state.doc.lines));
      const from = Math.min(line.from + Math.max(0, m.linePos - 1), line.to);
      diagnostics.push({ from, to: Math.max(from, Math.min(line.to, from + Math.max(1, m.length))), severity: 'error', message });
      lines.push(`line ${at.line}:${m.linePos}: ${message}`);
    }
    this.editor.dispatch(setDiagnostics(this.editor.state, diagnostics));
    if (errors.length) {
      const first = sourceLine(shader, errors[0]!.lineNum);
      this.status({ ok: false, text: lines.join('\n'), line: first.line });
      return;
    }
    const original = LAB_FILES[name]!.code;
    if (text === original) this.edits.delete(name);
    else this.edits.set(name, text);
    this.showApplied();
    await this.host.changed();
  }

  /**
   * Whether runs with an edited kernel stop at the first dispatch the CPU computes otherwise (the
   * default), or go on so the student can watch the bug ruin training, still compared after every chunk.
   */
  get grade(): boolean {
    return byId<HTMLInputElement>('lab-grade').checked;
  }

  /** The files the current lesson compiles: an edit of any other runs nowhere until the settings change. */
  compiledNow(files: ReadonlySet<string>): void {
    this.compiled = files;
    if (this.edits.has(this.file)) this.showApplied();
  }

  private showApplied(): void {
    const name = this.file;
    if (!this.edits.has(name)) {
      this.status({ ok: true, text: `shaders/${name}.wgsl as it is in the repository.` });
      return;
    }
    if (this.compiled && !this.compiled.has(name)) {
      this.status({ ok: true, text: `Compiled, but the current network does not run shaders/${name}.wgsl (another activation, or no hidden layer, or no GPU): change the settings to run it.` });
      return;
    }
    this.status({
      ok: true,
      text: this.grade
        ? `Compiled. Runs of the seed's networks now use your shaders/${name}.wgsl, checked against the CPU after every dispatch; the first one that differs stops the run.`
        : `Compiled. Runs of the seed's networks now use your shaders/${name}.wgsl, ungraded: they go on past a wrong dispatch, their weights compared with the CPU only after each chunk of iterations (the badge says when they disagree).`,
    });
  }

  /**
   * An error an edited kernel caused, shown beside the edit: a loop stopped by its guard (its line
   * marked), or a pipeline the GPU refused (too much workgroup memory, say). The sentence for a
   * screen reader; undefined when the error is not an edit's.
   */
  claim(error: unknown): string | undefined {
    if (error instanceof LoopGuardError) {
      const text = error.describe();
      return this.showError(error.file, `${text[0]!.toUpperCase()}${text.slice(1)}.`, error.line);
    }
    if (!(error instanceof GpuError)) return undefined;
    const name = error.files.find((n) => this.edits.has(n));
    if (name === undefined) return undefined;
    // What the GPU said, after the kernel's name (a composed one's reads shaders/relu+activate.wgsl).
    const reason = error.message.replace(/^.*?shaders\/\S+\.wgsl:?\s*/, '');
    return this.showError(name, `Your shaders/${name}.wgsl compiles, but the GPU will not run it: ${reason.replace(/\.?$/, '.')} Change it, or reset it to the file in shaders/.`);
  }

  private showError(name: string, sentence: string, line?: number): string {
    if (name !== this.file) this.open(name);
    this.status({ ok: false, text: sentence, line });
    return sentence;
  }

  /** Waits for a compile in flight (tests, and Run right after typing). */
  async settled(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.compiling = this.compile();
    }
    await this.compiling;
  }

  /** Back to the file in shaders/, said in the status line (a screen reader hears it: role=status). */
  private async reset(): Promise<void> {
    this.edits.delete(this.file);
    this.open(this.file);
    this.editor.dispatch(setDiagnostics(this.editor.state, []));
    await this.host.changed();
    this.showFailure(undefined);
    this.status({ ok: true, text: `Reset: your edit is gone. Runs use shaders/${this.file}.wgsl as it is in the repository, and training starts over.` });
  }

  private status(s: { ok: boolean; text: string; line?: number } | undefined): void {
    const el = byId('lab-status');
    el.hidden = !s;
    if (!s) return;
    el.textContent = s.text;
    el.dataset.ok = String(s.ok);
    if (s.line !== undefined) el.dataset.line = String(s.line);
    else delete el.dataset.line;
    el.className = `lab-status ${s.ok ? 'ok' : 'bad'}`;
    const edited = [...this.edits.keys()];
    byId('lab-edited').textContent = edited.length
      ? `Edited: ${edited.map((n) => `shaders/${n}.wgsl`).join(', ')}. ${this.grade ? 'Runs are graded dispatch by dispatch.' : 'Runs are not graded: their weights are compared with the CPU after each chunk.'}`
      : '';
  }

  // --- exercises --------------------------------------------------------------------------------

  private solved(): Set<string> {
    try {
      return new Set(JSON.parse(localStorage.getItem(STORAGE) ?? '[]') as string[]);
    } catch {
      return new Set();
    }
  }

  private renderExercises(): void {
    const solved = this.solved();
    // The buttons are made anew: the one the keyboard was on keeps the focus.
    const focusedId = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('#lab-exercises [data-exercise]')?.dataset.exercise;
    clear(
      byId('lab-exercises'),
      ...EXERCISES.map((e) => {
        const button = h(
          'button',
          { type: 'button', class: `exercise${e === this.exercise ? ' current' : ''}`, 'data-exercise': e.id, 'data-solved': String(solved.has(e.id)), 'aria-pressed': String(e === this.exercise) },
          `${solved.has(e.id) ? '✓ ' : ''}${e.title}`,
        );
        button.title = e.kind;
        button.addEventListener('click', () => void this.start(e));
        return button;
      }),
    );
    if (focusedId) byId('lab-exercises').querySelector<HTMLElement>(`[data-exercise="${focusedId}"]`)?.focus();
    const brief = byId('lab-brief');
    if (this.exercise) clear(brief, h('strong', {}, `${this.exercise.kind}: `), this.exercise.brief);
    else clear(brief, 'Pick an exercise, or open any file below and change it: with “stop at the first wrong dispatch” on, the CPU reference grades what the GPU then computes.');
  }

  /** Loads an exercise: its settings, its version of the file, applied at once. */
  async start(e: Exercise): Promise<void> {
    this.exercise = e;
    this.edits.clear();
    this.host.settings(e.query ?? '');
    this.open(e.file, e.start);
    this.renderExercises();
    this.schedule();
    await this.settled();
  }

  /** After a run: a graded run that passed with the exercise's file changed solves it. */
  finished(ok: boolean, iterations: number): void {
    const e = this.exercise;
    // Solved only by a run that compiled the exercise's file: a relu2deriv edit proves nothing on a tanh network.
    if (!e || !ok || iterations < 1 || this.code(e.file) === e.start || !this.compiled?.has(e.file)) return;
    const solved = this.solved();
    solved.add(e.id);
    localStorage.setItem(STORAGE, JSON.stringify([...solved]));
    this.renderExercises();
    byId('lab-brief').append(h('p', { class: 'solved', 'data-solved': e.id }, 'Solved: the GPU now computes what the CPU reference does, dispatch by dispatch.'));
  }

  /** Where a graded run went wrong: the dispatch, the buffer, |GPU − CPU| for each value. */
  showFailure(f: Failure | undefined): void {
    const el = byId('lab-failure');
    el.hidden = !f;
    if (!f) return;
    el.dataset.dispatch = String(f.view.index + 1);
    el.dataset.buffer = f.buffer;
    clear(
      el,
      h('p', {}, h('strong', {}, `Dispatch ${f.view.index + 1}, `), h('code', {}, f.view.step.numpy), `, wrote ${f.buffer} differently from the CPU: ${f.count} of ${f.diff.length} values, by up to ${short(f.maxDiff)}.`),
      h('p', { class: 'hint' }, f.first.map((x) => `[${x.row}][${x.col}]: GPU ${short(x.gpu)}, CPU ${short(x.cpu)}`).join(' · ')),
      heatmap(`|GPU − CPU| of ${f.buffer}`, f.diff, f.rows, f.cols, undefined, 320, 'a row per example of the batch, a column per value; white where the GPU agrees', true),
    );
  }
}
