// Which kernel variant runs fastest on an adapter is measured, not guessed: the first use of a
// shape times the candidates and remembers the winner here, per adapter. Where the memory lives
// depends on the platform: a Map for one process (the default), a file for the command
// (src/gpu/nodeChoices.ts), localStorage for the page.

export interface ChoiceStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  /** Where the choices are kept, for a person reading the benchmark. */
  readonly where: string;
  /** False for a store that never measures: every shape runs its default variant. */
  readonly measures?: boolean;
}

/** No measuring, no memory: every shape runs its default variant (the tests, but the tuner's own). */
export function fixedChoices(): ChoiceStore {
  return { get: () => undefined, set: () => undefined, where: "none: each shape's default variant, never measured", measures: false };
}

export function memoryChoices(): ChoiceStore {
  const map = new Map<string, string>();
  return { get: (key) => map.get(key), set: (key, value) => void map.set(key, value), where: 'memory (this process)' };
}

const STORAGE_KEY = 'webgpu-backprop.kernels';

/** Set to "off" in a browser's localStorage, the page measures no variant (its tests do this). */
export const MEASURE_KEY = 'webgpu-backprop.kernels.measure';

/** A page's store: localStorage where the page may use it (not in a sandboxed frame), else memory. */
export function pageChoices(): ChoiceStore {
  try {
    return localStorage.getItem(MEASURE_KEY) === 'off' ? fixedChoices() : localStorageChoices(localStorage);
  } catch {
    return memoryChoices();
  }
}

/** Choices in the browser's localStorage, so a page measures each shape once per adapter. */
export function localStorageChoices(storage: Storage): ChoiceStore {
  const read = (): Record<string, string> => {
    try {
      const value = JSON.parse(storage.getItem(STORAGE_KEY) ?? '{}') as unknown;
      return typeof value === 'object' && value !== null ? (value as Record<string, string>) : {};
    } catch {
      return {};
    }
  };
  return {
    get: (key) => {
      const value = read()[key];
      return typeof value === 'string' ? value : undefined;
    },
    set: (key, value) => {
      try {
        storage.setItem(STORAGE_KEY, JSON.stringify({ ...read(), [key]: value }));
      } catch {
        // Storage full or denied: the choice is measured again next time.
      }
    },
    where: `localStorage["${STORAGE_KEY}"]`,
  };
}
