#!/usr/bin/env node
// Runs a .tflite model with TensorFlow Lite's own interpreter compiled to
// WebAssembly: the tflite_web_api module that @tensorflow/tfjs-tflite ships
// (wasm/tflite_web_api_cc.{js,wasm}, Google's build of the TFLite C++
// interpreter with its builtin kernels), used directly, without tfjs, in
// plain Node 20, one thread. opscope uses it as a reference oracle for what
// LiteRT.js cannot run: LiteRT.js refuses variable tensors, so the sequence
// LSTM/RNN ops, whose states are variable tensors, run only here.
//
//   node run_tflite_web.mjs --model M.tflite --input in0.npy [--input in1.npy ...]
//                           --out-dir DIR [--node-dir DIR]
//
// Inputs are .npy files in the model's input order; their dtype and shape
// must equal the model's (no value is converted). Every output i is written
// to DIR/output_<i>.npy. One JSON line on stdout names the runtime and
// describes the inputs and outputs. The interpreter's log goes to stderr; a
// line it logs as ERROR fails the run. Exit status: 0 ok, 1 runtime
// failure, 2 bad usage or inputs that do not fit the model.
//
// The package is found in DIR/node_modules (--node-dir, else
// $OPSCOPE_NODE_DIR/tflite_web, else $HOME/.cache/opscope/node/tflite_web;
// see install.sh).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { readNpy, writeNpy, typedView } from '../litert/npy.mjs';

class UsageError extends Error {}

// The interpreter's dataType names that this runner moves, as npy.mjs names them.
const DTYPES = new Set(['float32', 'int32', 'int64', 'uint8', 'int8', 'bool']);

function parseArgs(argv) {
  const opts = { inputs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--model') opts.model = next();
    else if (a === '--input') opts.inputs.push(next());
    else if (a === '--out-dir') opts.outDir = next();
    else if (a === '--node-dir') opts.nodeDir = next();
    else throw new UsageError(`unknown argument ${a}`);
  }
  if (!opts.model) throw new UsageError('--model is required');
  if (!opts.outDir) throw new UsageError('--out-dir is required');
  return opts;
}

function packageDir(opts) {
  const home = process.env.HOME || '/root';
  const nodeDir = opts.nodeDir ??
      path.join(process.env.OPSCOPE_NODE_DIR || path.join(home, '.cache/opscope/node'), 'tflite_web');
  const wasmDir = path.join(nodeDir, 'node_modules/@tensorflow/tfjs-tflite/wasm');
  if (!fs.existsSync(path.join(wasmDir, 'tflite_web_api_cc.js'))) {
    throw new UsageError(`@tensorflow/tfjs-tflite is not installed in ${nodeDir}; ` +
                         'run tools/tflite_web/install.sh');
  }
  return wasmDir;
}

// A C++ vector of the module as a JS array.
function arrayOf(vector) {
  const out = [];
  for (let i = 0; i < vector.size(); i++) out.push(vector.get(i));
  vector.delete();
  return out;
}

function shapeOf(tensor) {
  const s = String(tensor.shape);
  return s === '' ? [] : s.split(',').map(Number);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const wasmDir = packageDir(opts);
  const errors = [];
  const log = (line) => {
    process.stderr.write(`${line}\n`);
    if (/^ERROR/.test(line)) errors.push(line);
  };
  const factory = createRequire(import.meta.url)(path.join(wasmDir, 'tflite_web_api_cc.js'));
  // The wasm bytes are handed over: Node's fetch cannot read a file path.
  const tfl = await factory({
    wasmBinary: fs.readFileSync(path.join(wasmDir, 'tflite_web_api_cc.wasm')),
    print: log,
    printErr: log,
  });
  const bytes = fs.readFileSync(opts.model);
  const at = tfl._malloc(bytes.length);
  tfl.HEAPU8.set(bytes, at);
  const created = tfl.TFLiteWebModelRunner.CreateFromBufferAndOptions(
      at, bytes.length, { numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 1024 });
  if (!created.ok()) throw new Error(`cannot load ${opts.model}: ${created.errorMessage()}`);
  const runner = created.value();

  const inputs = arrayOf(runner.GetInputs());
  if (inputs.length !== opts.inputs.length) {
    throw new UsageError(`the model has ${inputs.length} inputs, ${opts.inputs.length} given`);
  }
  const described = { runtime: '@tensorflow/tfjs-tflite (tflite_web_api)', inputs: [], outputs: [] };
  inputs.forEach((t, i) => {
    let a;
    try {
      a = readNpy(opts.inputs[i]);
    } catch (e) {
      throw new UsageError(e.message);  // names the file
    }
    const shape = shapeOf(t);
    if (a.dtype !== t.dataType || a.shape.join(',') !== shape.join(',')) {
      throw new UsageError(`input ${i} '${t.name}' is ${t.dataType} [${shape}], ` +
                           `${opts.inputs[i]} is ${a.dtype} [${a.shape}]`);
    }
    t.data().set(typedView(a));
    described.inputs.push({ name: t.name, dtype: t.dataType, shape });
  });
  if (!runner.Infer()) throw new Error('Infer() failed');
  if (errors.length) throw new Error(`the interpreter logged: ${errors.join(' | ')}`);

  fs.mkdirSync(opts.outDir, { recursive: true });
  arrayOf(runner.GetOutputs()).forEach((t, i) => {
    if (!DTYPES.has(t.dataType)) throw new Error(`output ${i} has dtype ${t.dataType}`);
    const shape = shapeOf(t);
    const view = t.data();
    const data = new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
    writeNpy(path.join(opts.outDir, `output_${i}.npy`), { dtype: t.dataType, shape, data });
    described.outputs.push({ name: t.name, dtype: t.dataType, shape });
  });
  process.stdout.write(`${JSON.stringify(described)}\n`);
}

main().catch((e) => {
  process.stderr.write(`run_tflite_web: ${e instanceof Error ? e.message : e}\n`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
