// The page's controls: which buttons a state allows, clicks that keep the keyboard's focus, the
// notice line, and how often live views are drawn.

import { byId, clear, h } from './dom.js';
import type { Lesson } from './lessons/lesson.js';

/** The page's state, in <body data-state> for the tests and the phone bar's CSS. */
export type State = 'starting' | 'idle' | 'running' | 'paused' | 'done' | 'error';

/** Says `state` in <body data-state> and enables the buttons it allows for `lesson`. */
export function showState(state: State, lesson: Lesson | undefined): void {
  document.body.dataset.state = state;
  const running = state === 'running';
  // While a lesson runs or is being built, nothing else can run or step.
  const blocked = running || state === 'starting';
  const stopped = blocked || (lesson?.done ?? true);
  const set = (id: string, disabled: boolean, title = ''): void => {
    const button = byId<HTMLButtonElement>(id);
    button.disabled = disabled;
    button.title = title;
  };
  set('run', stopped);
  set('pause', !running);
  set('step-iteration', stopped);
  const stepping = lesson?.dispatchStepping;
  set('step-dispatch', stopped || !stepping?.ok, stepping && !stepping.ok ? stepping.why : '');
  const back = lesson?.steppingBack;
  set('step-back-bar', blocked || !back?.ok, back && !back.ok ? back.why : 'Put back what the last dispatch wrote, on the GPU and in the CPU reference');
  set('reset', false);
}

/**
 * Runs `action` on a click of `id`. A control disabled while its action runs loses the focus to
 * <body>: it gets it back after, or, still disabled (Run at the end of a run), Reset gets it, which
 * is what comes next. Without scrolling: the student is looking at what the action drew.
 */
export function onClick(id: string, action: () => unknown): void {
  const control = byId(id);
  control.addEventListener('click', async () => {
    await action();
    if (document.activeElement !== document.body && document.activeElement !== null) return;
    ((control as HTMLButtonElement).disabled ? byId('reset') : control).focus({ preventScroll: true });
  });
}

/** The notice line above the lesson, with a button when there is something to do about it. */
export function notice(kind: 'warning' | 'error', text: string, action?: { id: string; label: string; run: () => void }): void {
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

export const nextFrame = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => r()));

/**
 * The views drawn while a run goes on: at every piece of the run, or at most once a second for a
 * visitor who asks for less motion (prefers-reduced-motion); the end of the run is always drawn.
 */
export function liveDraw(draw: () => void): () => void {
  if (!matchMedia('(prefers-reduced-motion: reduce)').matches) return draw;
  let last = -Infinity;
  return () => {
    const now = performance.now();
    if (now - last < 1000) return;
    last = now;
    draw();
  };
}
