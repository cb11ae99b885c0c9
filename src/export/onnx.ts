// A trained network as an ONNX model, for ONNX Runtime and the tools around it: the forward pass
// only, as the page draws it. Input "layer_0" (batch, inputs); per layer a MatMul by
// weights_l_{l+1} (inputs, outputs: numpy's layout, so no transpose), an Add of bias_l_{l+1} when
// the network has biases, and the hidden activation (Relu, Sigmoid, Tanh); the output is
// "prediction" (the linear output of the squared loss) or, with the softmax loss, "probabilities"
// (Softmax over the classes, the logits as "logits" too). Written with the ONNX definitions compiled
// for protobufjs (the npm package onnx-proto), opset 13; test/gpu/export.test.ts runs it in onnxruntime-node.

import onnxProto from 'onnx-proto';
import type { Loss } from '../cpu/network.js';
import { parameterNames, parameterShapes } from '../train/config.js';
import { layerName, type Layers } from '../net/spec.js';
import { activationOf } from '../ops/activations/index.js';
import pkg from '../../package.json' with { type: 'json' };

const { onnx } = onnxProto;

/** ONNX IR version 8 with opset 13: read by every ONNX Runtime since 1.10 (2021). */
const IR_VERSION = 8;
const OPSET = 13;

export interface OnnxNetwork {
  layers: Layers;
  activation: string;
  loss: Loss;
  bias: boolean;
  /** The matrices (in, out), then with biases one vector per layer after the input. */
  weights: readonly ArrayLike<number>[];
}

/** The output names: what a caller feeds and reads. */
export const ONNX_INPUT = 'layer_0';
export const onnxOutput = (loss: Loss): string => (loss === 'softmax' ? 'probabilities' : 'prediction');

function floatTensor(name: string, dims: number[], values: ArrayLike<number>): InstanceType<typeof onnx.TensorProto> {
  const data = new Float32Array(values.length);
  data.set(values);
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true)); // raw_data is little-endian
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw });
}

function valueInfo(name: string, dims: (number | string)[]): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
}

/** The network as the bytes of an .onnx file (a ModelProto). */
export function encodeOnnx(net: OnnxNetwork): Uint8Array {
  const { layers, loss, bias } = net;
  const matrices = layers.length - 1;
  const act = activationOf(net.activation).onnx;
  const names = parameterNames(layers, bias);
  const shapes = parameterShapes(layers, bias);
  const initializer = names.map((name, i) => floatTensor(name, i < matrices ? shapes[i]! : [shapes[i]![1]], net.weights[i]!));
  const nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  let current = ONNX_INPUT;
  for (let l = 0; l < matrices; l++) {
    const last = l + 1 === matrices;
    // The last layer's sum is the output itself, or the logits softmax reads.
    const sum = last ? (loss === 'softmax' ? 'logits' : 'prediction') : `${layerName(l + 1)}_sum`;
    const product = bias ? `${layerName(l + 1)}_product` : sum;
    // numpy: np.dot(layer_l, weights_l_{l+1})
    nodes.push(onnx.NodeProto.create({ name: `${names[l]} product`, opType: 'MatMul', input: [current, names[l]!], output: [product] }));
    if (bias) nodes.push(onnx.NodeProto.create({ name: `${names[matrices + l]} add`, opType: 'Add', input: [product, names[matrices + l]!], output: [sum] }));
    if (!last) {
      nodes.push(onnx.NodeProto.create({ name: `${layerName(l + 1)} ${net.activation}`, opType: act, input: [sum], output: [layerName(l + 1)] }));
      current = layerName(l + 1);
    } else current = sum;
  }
  const out = layers[matrices]!;
  const outputs = [];
  if (loss === 'softmax') {
    nodes.push(onnx.NodeProto.create({ name: 'softmax', opType: 'Softmax', input: [current], output: ['probabilities'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] }));
    outputs.push(valueInfo('probabilities', ['batch', out]), valueInfo('logits', ['batch', out]));
  } else outputs.push(valueInfo('prediction', ['batch', out]));
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'webgpu-backprop',
    producerVersion: pkg.version,
    docString: `layers ${layers.join(',')}, ${net.activation} between, ${loss === 'softmax' ? 'softmax output' : 'linear output'}${bias ? ', biases' : ''}`,
    graph: {
      name: `mlp_${layers.join('_')}`,
      node: nodes,
      initializer,
      input: [valueInfo(ONNX_INPUT, ['batch', layers[0]!])],
      output: outputs,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
