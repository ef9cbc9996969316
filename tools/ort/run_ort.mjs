#!/usr/bin/env node
// Runs an .onnx model with ONNX Runtime (onnxruntime-node, CPU execution
// provider) on .npy inputs and writes .npy outputs: the reference oracle of
// opscope's ONNX importer, and its peer for latency.
//
//   node run_ort.mjs --model M.onnx --input in0.npy [--input NAME=in1.npy ...]
//                    --out-dir DIR [--threads 1] [--runs N] [--warmup W]
//                    [--optimization all|disabled]
//                    [--json FILE]
//
// Inputs given as FILE are taken in the model's input order; NAME=FILE
// binds by name. Their dtype and shape are passed as they are (free dims
// take the array's). Output i goes to DIR/output_<i>.npy in the model's
// output order. One JSON line on stdout describes inputs and outputs.
// With --runs N, W untimed warm-up runs (default 5) precede N timed runs;
// --json FILE receives {samples_ms, median_ms, load_ms, first_run_ms}.
// Exit status: 0 ok, 1 runtime failure, 2 bad usage.
//
// onnxruntime-node is found in $OPSCOPE_NODE_DIR/ort (default
// $HOME/.cache/opscope/node/ort, see install.sh) or --node-dir.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { readNpy, writeNpy } from '../litert/npy.mjs';

class UsageError extends Error {}

// npy.mjs dtype names <-> ORT tensor types.
const ORT_TYPES = {
  float32: 'float32', int32: 'int32', int64: 'int64', int8: 'int8', uint8: 'uint8',
  bool: 'bool', float16: 'float16',
};

function parseArgs(argv) {
  const opts = { inputs: [], warmup: 5, runs: 0, threads: 1, optimization: 'all' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--model') opts.model = next();
    else if (a === '--input') opts.inputs.push(next());
    else if (a === '--out-dir') opts.outDir = next();
    else if (a === '--runs') opts.runs = Number(next());
    else if (a === '--warmup') opts.warmup = Number(next());
    else if (a === '--threads') opts.threads = Number(next());
    else if (a === '--json') opts.json = next();
    else if (a === '--optimization') opts.optimization = next();
    else if (a === '--node-dir') opts.nodeDir = next();
    else throw new UsageError(`unknown argument ${a}`);
  }
  if (!opts.model) throw new UsageError('--model is required');
  if (!['all', 'disabled'].includes(opts.optimization)) {
    throw new UsageError(`--optimization must be all or disabled, not ${opts.optimization}`);
  }
  return opts;
}

export function loadOrt(nodeDir) {
  const dir = nodeDir ?? path.join(process.env.OPSCOPE_NODE_DIR ??
      path.join(process.env.HOME ?? '/root', '.cache/opscope/node'), 'ort');
  const require = createRequire(path.join(dir, 'package.json'));
  try {
    return require('onnxruntime-node');
  } catch (e) {
    throw new Error(`onnxruntime-node not found in ${dir} (run tools/ort/install.sh): ${e.message}`);
  }
}

// `optimization` 'disabled' runs the graph node by node as written: a QDQ
// model's QuantizeLinear/DequantizeLinear pairs then stay float
// round trips instead of being fused into ORT's integer kernels.
export async function createSession(ort, model, threads, optimization = 'all') {
  return ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: optimization,
  });
}

export function feedsFromNpy(ort, session, inputs) {
  const feeds = {};
  inputs.forEach((spec, k) => {
    const eq = spec.indexOf('=');
    const named = eq > 0 && !spec.slice(0, eq).includes('/');
    const name = named ? spec.slice(0, eq) : session.inputNames[k];
    const file = named ? spec.slice(eq + 1) : spec;
    if (!session.inputNames.includes(name)) {
      throw new UsageError(`model has no input '${name}' (inputs: ${session.inputNames.join(', ')})`);
    }
    const arr = readNpy(file);
    const type = ORT_TYPES[arr.dtype];
    const view = new (type === 'int64' ? BigInt64Array : type === 'float32' ? Float32Array :
                      type === 'int32' ? Int32Array : type === 'int8' ? Int8Array :
                      type === 'float16' ? Uint16Array : Uint8Array)(
        arr.data.buffer.slice(arr.data.byteOffset, arr.data.byteOffset + arr.data.byteLength));
    feeds[name] = new ort.Tensor(type, view, arr.shape);
  });
  for (const name of session.inputNames) {
    if (!(name in feeds)) throw new UsageError(`no --input for model input '${name}'`);
  }
  return feeds;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const ort = loadOrt(opts.nodeDir);
  const t0 = performance.now();
  const session = await createSession(ort, opts.model, opts.threads, opts.optimization);
  const loadMs = performance.now() - t0;
  const feeds = feedsFromNpy(ort, session, opts.inputs);
  const t1 = performance.now();
  const results = await session.run(feeds);
  const firstRunMs = performance.now() - t1;
  const outputs = session.outputNames.map((name, i) => {
    const t = results[name];
    const dtype = t.type === 'float32' ? 'float32' : t.type;
    if (opts.outDir) {
      fs.mkdirSync(opts.outDir, { recursive: true });
      const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      writeNpy(path.join(opts.outDir, `output_${i}.npy`), { dtype, shape: t.dims, data: bytes });
    }
    return { name, dtype, shape: t.dims };
  });
  const samples = [];
  if (opts.runs > 0) {
    for (let i = 0; i < opts.warmup; i++) await session.run(feeds);
    for (let i = 0; i < opts.runs; i++) {
      const s = performance.now();
      await session.run(feeds);
      samples.push(performance.now() - s);
    }
  }
  if (opts.json) {
    fs.writeFileSync(opts.json, JSON.stringify({
      samples_ms: samples, median_ms: samples.length ? median(samples) : null,
      load_ms: loadMs, first_run_ms: firstRunMs,
    }));
  }
  console.log(JSON.stringify({ inputs: session.inputNames, outputs }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(`run_ort: ${e.message}`);
    process.exit(e instanceof UsageError ? 2 : 1);
  });
}
