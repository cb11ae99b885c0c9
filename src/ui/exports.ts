// The page's PyTorch and ONNX exports, loaded when first asked for: protobufjs (ONNX) and fflate
// (the zip) are 150 KB the lesson does not need until then.

import { zipSync } from 'fflate';
import { encodeOnnx, type OnnxNetwork } from '../export/onnx.js';
import { pytorchFiles, type PytorchExport } from '../export/pytorch.js';
import { download } from './files.js';

/** webgpu-backprop-pytorch.zip: train.py and its .npy files in one folder, as `backprop export --pytorch` writes them. */
export function downloadPytorchZip(run: PytorchExport): void {
  const folder = 'webgpu-backprop-pytorch';
  const files = Object.fromEntries(pytorchFiles(run).map((f) => [`${folder}/${f.name}`, f.bytes]));
  download(`${folder}.zip`, zipSync(files, { level: 6 }) as BlobPart, 'application/zip');
}

/** model.onnx: the network with the given weights (src/export/onnx.ts). */
export function downloadOnnx(net: OnnxNetwork): void {
  download('model.onnx', encodeOnnx(net) as BlobPart, 'application/octet-stream');
}

