// Ctrl-C (SIGINT) and kill (SIGTERM) during a run: the first asks the run to stop after the step
// in flight, so that its weights can be saved and the command can say so; a second Ctrl-C (or
// kill) quits at once, as a user pressing it again expects.

export type StopSignal = 'SIGINT' | 'SIGTERM';

const STATUS: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export class Interrupts {
  /** The first signal received, if any. */
  received: StopSignal | undefined;
  private readonly handlers = new Map<StopSignal, () => void>();

  /** `say` prints one line on stderr. */
  constructor(private readonly say: (line: string) => void) {}

  /** Listens for both signals until dispose(). */
  listen(): this {
    for (const signal of Object.keys(STATUS) as StopSignal[]) {
      const handler = () => this.receive(signal);
      this.handlers.set(signal, handler);
      process.on(signal, handler);
    }
    return this;
  }

  dispose(): void {
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
    this.handlers.clear();
  }

  private receive(signal: StopSignal): void {
    if (this.received) {
      this.say(`backprop: ${signal} again: quitting at once; nothing more is saved`);
      process.exit(STATUS[signal]);
    }
    this.received = signal;
    this.say(`backprop: ${signal}: stopping after the step in flight${signal === 'SIGINT' ? ' (Ctrl-C again to quit at once)' : ''}`);
  }
}
