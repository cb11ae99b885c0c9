// The numbers behind a picture (a heatmap, a chart), for whoever cannot see it: a disclosure that
// builds its table when it is opened, so a page of pictures costs no tables until one is wanted.

import { h } from '../dom.js';

/** A matrix as a table: a header row of column labels, a header cell of its row label on each row. */
export function matrixTable(caption: string, values: ArrayLike<number>, rows: number, cols: number, rowLabels: readonly string[], colLabels: readonly string[]): HTMLTableElement {
  return h(
    'table',
    { class: 'numbers-table' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('td', {}), ...colLabels.slice(0, cols).map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      ...Array.from({ length: rows }, (_, r) =>
        h('tr', {}, h('th', { scope: 'row' }, rowLabels[r] ?? `row ${r}`), ...Array.from({ length: cols }, (_, c) => h('td', {}, String(values[r * cols + c])))),
      ),
    ),
  );
}

/**
 * A closed disclosure ("summary") whose content `build` makes when it is first opened; `refresh`
 * makes it again if it is open (the picture changed), and otherwise leaves it to the next opening.
 */
export class NumbersDisclosure {
  readonly element: HTMLDetailsElement;
  private built = false;

  constructor(
    private readonly summary: string,
    private build: () => HTMLElement,
  ) {
    this.element = h('details', { class: 'numbers' }, h('summary', {}, summary));
    this.element.addEventListener('toggle', () => {
      if (this.element.open && !this.built) this.fill();
    });
  }

  refresh(build?: () => HTMLElement): void {
    if (build) this.build = build;
    this.built = false;
    if (this.element.open) this.fill();
  }

  private fill(): void {
    this.element.querySelector(':scope > :not(summary)')?.remove();
    // A table wider than a phone scrolls inside this box, which the keyboard can reach to scroll it.
    this.element.append(h('div', { class: 'numbers-scroll', tabindex: 0, role: 'region', 'aria-label': this.summary }, this.build()));
    this.built = true;
  }
}
