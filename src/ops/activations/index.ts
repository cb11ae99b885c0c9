// The hidden layers' activation functions, by the name --activation and the page use.

import { OptionError } from '../../errors.js';
import type { Activation } from './activation.js';
import { linear } from './linear.js';
import { relu } from './relu.js';
import { sigmoid } from './sigmoid.js';
import { tanh } from './tanh.js';
import { lookup } from '../../lookup.js';

export type { Activation } from './activation.js';

export const ACTIVATIONS: Readonly<Record<string, Activation>> = { relu, sigmoid, tanh, linear };

export const DEFAULT_ACTIVATION = 'relu';

/** The activation named `name`, or an OptionError listing the ones there are. */
export function activationOf(name: string): Activation {
  const found = lookup(ACTIVATIONS, name);
  if (!found) throw new OptionError(`unknown activation "${name}"`, `choose one of: ${Object.keys(ACTIVATIONS).join(', ')}`);
  return found;
}
