// The settings form: built from the examples, modes and activations the library has, written from
// the page's settings and read back into them. Its inputs are named as the settings they hold.

import type { Dataset } from '../data/dataset.js';
import { BUILTIN_DATASETS } from '../data/streetlights.js';
import { ACTIVATIONS } from '../ops/activations/index.js';
import { EXAMPLES, MODES } from '../train/config.js';
import { byId, h } from './dom.js';
import type { Settings } from './settings.js';

/** The form's inputs, named as the settings they hold (example is handled apart: it resets the rest). */
const FIELDS = ['dataset', 'layers', 'mode', 'batchSize', 'alpha', 'iterations', 'seed', 'logEvery', 'loss', 'init', 'alphaDecay', 'shift', 'activation'] as const;
const FLAGS = ['bias', 'shuffle'] as const;

export interface FormEvents {
  /** The example was changed: its settings replace the form's. */
  example(name: string): void;
  /** Any other field was changed. */
  change(): void;
  /** A data file was chosen. */
  file(file: File): void;
}

export class SettingsForm {
  private readonly form = byId<HTMLFormElement>('settings');

  constructor(
    /** Datasets the page fetches on first use, listed after the built-in ones. */
    private readonly remote: readonly string[],
    events: FormEvents,
  ) {
    const example = this.field<HTMLSelectElement>('example');
    for (const [name, e] of Object.entries(EXAMPLES)) example.append(h('option', { value: name, title: e.description }, name));
    const mode = this.field<HTMLSelectElement>('mode');
    for (const m of MODES) mode.append(h('option', { value: m }, m === 'batch' ? 'mini-batch' : m));
    const activation = this.field<HTMLSelectElement>('activation');
    for (const a of Object.values(ACTIVATIONS)) activation.append(h('option', { value: a.name, title: a.numpy.forward }, a.name));
    this.fillDatasets(undefined);
    this.form.addEventListener('submit', (e) => e.preventDefault());
    this.form.addEventListener('change', (event) => {
      const target = event.target as HTMLInputElement;
      if (target.name === 'file') return;
      if (target.name === 'example') events.example(target.value);
      else events.change();
    });
    this.field<HTMLInputElement>('file').addEventListener('change', (e) => {
      const input = e.target as HTMLInputElement;
      const file = input.files?.[0];
      input.value = '';
      if (file) events.file(file);
    });
  }

  private field<T extends HTMLElement>(name: string): T {
    return this.form.elements.namedItem(name) as unknown as T;
  }

  /** The dataset choices: built-in, remote, and an uploaded file if there is one. */
  fillDatasets(uploaded: Dataset | undefined): void {
    const select = this.field<HTMLSelectElement>('dataset');
    select.replaceChildren(...[...Object.keys(BUILTIN_DATASETS), ...this.remote].map((name) => h('option', { value: name }, name)));
    if (uploaded) select.append(h('option', { value: uploaded.name }, `${uploaded.name} (file)`));
  }

  write(s: Settings): void {
    this.field<HTMLSelectElement>('example').value = s.example;
    for (const name of FIELDS) this.field<HTMLInputElement>(name).value = s[name];
    for (const name of FLAGS) this.field<HTMLInputElement>(name).checked = s[name];
    this.field<HTMLInputElement>('batchSize').disabled = s.mode !== 'batch';
  }

  /** `current` with what the form holds. */
  read(current: Settings): Settings {
    const next: Settings = { ...current };
    for (const name of FIELDS) (next as unknown as Record<string, string>)[name] = this.field<HTMLInputElement>(name).value;
    for (const name of FLAGS) next[name] = this.field<HTMLInputElement>(name).checked;
    this.field<HTMLInputElement>('batchSize').disabled = next.mode !== 'batch';
    return next;
  }

  /** Shows a settings error under the form, or hides it. */
  error(text: string | undefined): void {
    const el = byId('form-error');
    el.textContent = text ?? '';
    el.hidden = text === undefined;
  }
}
