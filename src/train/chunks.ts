// How many steps a run does between two looks at it (a redraw, a signal check, a progress bar),
// sized by time. Each look has a fixed cost (a readback of the errors and the weights); the chunk
// is scaled by how far the last one was from the budget, not just halved or doubled, so a small
// net on the page trains hundreds of iterations between redraws and a big one still redraws after
// every few steps. Where that fixed cost alone passes the budget (a readback takes about 200 ms in Firefox
// on SwiftShader, a few ms in Chromium), the budget grows to four times the quickest chunk, up to
// half a second, so that looking takes at most about a quarter of the time.

/** The most a budget grows to, in ms. */
const MAX_BUDGET_MS = 500;

/** The most steps in one chunk. */
const MAX_STEPS = 1 << 20;

export class ChunkSizer {
  private quickest = Infinity;

  /** `budgetMs`: the time between looks aimed at; `steps`: the first chunk's steps. */
  constructor(
    private readonly budgetMs: number,
    public steps = 1,
  ) {}

  /** After a chunk of `steps` took `ms`: the next chunk's size. */
  measured(steps: number, ms: number): void {
    // A chunk cut short (by a log point, or the run's end) says little about a full one.
    if (steps < this.steps) return;
    const took = Math.max(0.5, ms);
    this.quickest = Math.min(this.quickest, took);
    const budget = Math.min(MAX_BUDGET_MS, Math.max(this.budgetMs, 4 * this.quickest));
    this.steps = Math.max(1, Math.min(MAX_STEPS, Math.round(steps * Math.min(4, Math.max(0.25, budget / took)))));
  }
}
