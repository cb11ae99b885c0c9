// Weights as safetensors, the format PyTorch, Hugging Face and jax-js read: 8 bytes (little-endian)
// giving the length of a JSON header, the header ({name: {dtype, shape, data_offsets}, and
// "__metadata__" with string values}), then the tensors' bytes. Tensors are named as the
// state_dict of the network in torch.nn would name them: nn.Sequential(Linear, activation,
// Linear, ...) gives "0.weight", "0.bias", "2.weight", ... and a Linear's weight is (out, in), the
// transpose of weights_0_1 here. Parsed, never evaluated; every offset and shape is checked.

import { DataError } from '../errors.js';
import { validateLayers, weightShape, type Layers } from '../net/spec.js';
import { float16 } from './npy.js';
import type { WeightsFile } from './weightsFile.js';
import { lookup } from '../lookup.js';

/** Header sizes beyond this are refused (a weights file's header is a few hundred bytes). */
const MAX_HEADER = 1 << 20;

const DTYPE_SIZES: Record<string, number> = { F16: 2, BF16: 2, F32: 4, F64: 8 };

/** The state_dict name of layer l's weight or bias: Linear modules sit at 0, 2, 4, ... of the Sequential. */
export function torchName(l: number, what: 'weight' | 'bias'): string {
  return `${2 * l}.${what}`;
}

/** Our parameters (matrices (in, out), then biases) as a .safetensors file of float32 tensors. */
export function encodeWeightsSafetensors(layers: Layers, weights: readonly ArrayLike<number>[]): Uint8Array {
  const matrices = layers.length - 1;
  const tensors: { name: string; shape: number[]; values: Float32Array }[] = [];
  for (let l = 0; l < matrices; l++) {
    const [rows, cols] = weightShape(layers, l);
    const w = weights[l]!;
    const t = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c]!;
    tensors.push({ name: torchName(l, 'weight'), shape: [cols, rows], values: t });
    if (weights.length > matrices) tensors.push({ name: torchName(l, 'bias'), shape: [cols], values: Float32Array.from(weights[matrices + l]!) });
  }
  const header: Record<string, unknown> = { __metadata__: { format: 'webgpu-backprop/weights', layers: layers.join(',') } };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.values.byteLength] };
    offset += t.values.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8); // the data starts 8-byte aligned
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of tensors) {
    const view = new DataView(out.buffer, at, t.values.byteLength);
    t.values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    at += t.values.byteLength;
  }
  return out;
}

/** Whether bytes look like a safetensors file (a plausible header length, then a JSON object). */
export function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const length = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return length > 0n && length <= BigInt(Math.min(MAX_HEADER, bytes.length - 8)) && bytes[8] === 0x7b;
}

interface Entry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Reads a .safetensors file of a network's weights (as written above, or by PyTorch's state_dict). */
export function decodeWeightsSafetensors(name: string, bytes: Uint8Array): WeightsFile {
  const fail = (why: string): never => {
    throw new DataError(`${name}: not a usable safetensors file (${why})`);
  };
  if (bytes.length < 8) fail('shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = Number(view.getBigUint64(0, true));
  if (length > MAX_HEADER) fail(`a header of ${length} bytes`);
  if (8 + length > bytes.length) fail('truncated header');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<string, unknown>;
  } catch (cause) {
    return fail(`its header is not JSON: ${(cause as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('its header is not a JSON object');
  const dataStart = 8 + length;
  const dataLength = bytes.length - dataStart;
  const tensor = (key: string): Float64Array & { shape: number[] } => {
    const entry = header[key] as Entry | undefined;
    if (!entry || typeof entry !== 'object') return fail(`no tensor "${key}"`);
    const size = typeof entry.dtype === 'string' ? lookup(DTYPE_SIZES, entry.dtype) : undefined;
    if (size === undefined) fail(`"${key}" has dtype ${String(entry.dtype).slice(0, 10)}; weights are read as F16, BF16, F32 or F64`);
    const shape = entry.shape;
    if (!Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && n >= 0)) fail(`"${key}" has a bad shape`);
    const [begin, end] = Array.isArray(entry.data_offsets) ? entry.data_offsets : [NaN, NaN];
    const count = shape.reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end > dataLength || end - begin !== count * size!) {
      fail(`"${key}" has data_offsets [${begin}, ${end}] that do not hold its ${count} values in the ${dataLength} bytes of data`);
    }
    const values = new Float64Array(count) as Float64Array & { shape: number[] };
    const at = dataStart + begin;
    for (let i = 0; i < count; i++) {
      const p = at + i * size!;
      values[i] =
        size === 8 ? view.getFloat64(p, true) : size === 4 ? view.getFloat32(p, true) : entry.dtype === 'BF16' ? bf16(view.getUint16(p, true)) : float16(view.getUint16(p, true));
      if (!Number.isFinite(values[i])) fail(`"${key}" value ${i} is ${values[i]}, not a finite number`);
    }
    values.shape = shape;
    return values;
  };
  const keys = Object.keys(header).filter((k) => k !== '__metadata__');
  const matrices = keys.filter((k) => /^\d+\.weight$/.test(k)).length;
  if (matrices === 0) fail('no tensors named 0.weight, 2.weight, ... (an nn.Sequential state_dict)');
  const layers: number[] = [];
  const weights: Float64Array[] = [];
  const biases: Float64Array[] = [];
  for (let l = 0; l < matrices; l++) {
    const w = tensor(torchName(l, 'weight'));
    if (w.shape.length !== 2) fail(`"${torchName(l, 'weight')}" has ${w.shape.length} dimensions; a Linear weight has 2 (out, in)`);
    const [out, inputs] = w.shape as [number, number];
    if (l === 0) layers.push(inputs);
    else if (layers[l] !== inputs) fail(`"${torchName(l, 'weight')}" takes ${inputs} inputs, but the layer before gives ${layers[l]}`);
    layers.push(out);
    // (out, in) in torch, (in, out) here.
    const ours = new Float64Array(out * inputs);
    for (let r = 0; r < inputs; r++) for (let c = 0; c < out; c++) ours[r * out + c] = w[c * inputs + r]!;
    weights.push(ours);
    if (header[torchName(l, 'bias')] !== undefined) {
      const b = tensor(torchName(l, 'bias'));
      if (b.length !== out) fail(`"${torchName(l, 'bias')}" has ${b.length} values, its layer ${out} units`);
      biases.push(Float64Array.from(b));
    }
  }
  if (biases.length !== 0 && biases.length !== matrices) fail('some layers have a bias and others do not');
  const extra = keys.find((k) => !/^\d+\.(weight|bias)$/.test(k) || Number(k.split('.')[0]) / 2 >= matrices || Number(k.split('.')[0]) % 2 !== 0);
  if (extra !== undefined) fail(`unexpected tensor "${extra.slice(0, 40)}"`);
  let checked: Layers;
  try {
    checked = validateLayers(layers);
  } catch (error) {
    return fail((error as Error).message);
  }
  return { layers: checked, weights: [...weights, ...biases], bias: biases.length > 0 };
}

function bf16(bits: number): number {
  return new Float32Array(new Uint32Array([bits << 16]).buffer)[0]!;
}
