// A one-line progress bar on stderr, redrawn in place: only on a terminal, never with --json.
import type { CliIO } from './main.js';

export class ProgressBar {
  private started = performance.now();
  private drawn = false;

  constructor(
    private readonly io: CliIO,
    private readonly epochs: number,
    private readonly width = 30,
  ) {}

  update(done: number, total: number): void {
    const fraction = total ? done / total : 1;
    const filled = Math.round(fraction * this.width);
    const seconds = (performance.now() - this.started) / 1000;
    const left = fraction > 0 ? (seconds / fraction) * (1 - fraction) : 0;
    const epoch = Math.min(this.epochs, Math.floor(fraction * this.epochs) + 1);
    this.io.errRaw(
      `\r[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% epoch ${epoch}/${this.epochs}, ${seconds.toFixed(0)} s, ~${left.toFixed(0)} s left `,
    );
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.io.errRaw('\r\x1b[2K');
    this.drawn = false;
  }
}
