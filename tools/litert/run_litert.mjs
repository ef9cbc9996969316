#!/usr/bin/env node
// Runs a .tflite model with LiteRT.js (@litertjs/core, the official TFLite
// runtime compiled to WebAssembly, XNNPACK inside) in plain Node 20, on the
// 'wasm' CPU accelerator with one thread. opscope uses it as the reference
// oracle for outputs and as a peer for latency.
//
//   node run_litert.mjs --model M.tflite --input in0.npy [--input in1.npy ...]
//                       --out-dir DIR [--runs N] [--warmup W] [--json FILE]
//   node run_litert.mjs --model M.tflite --describe
//
// Inputs are .npy files given in the model's input order (the order of the
// model's first signature, which for a model without SignatureDefs is the
// subgraph's input order). Their dtype and shape must equal the model's; no
// value is ever converted. Every output i is written to DIR/output_<i>.npy in
// the model's output order, with the runtime's dtype and shape. One JSON line
// on stdout describes the inputs and outputs; runtime logs go to stderr
// (only warnings and errors unless --verbose).
//
// With --runs N, W untimed warm-up runs (--warmup, default 5) are followed by
// N timed runs; --json FILE then receives {samples_ms, median_ms, load_ms,
// first_run_ms, ...}. Exit status: 0 ok, 1 runtime failure, 2 bad usage or
// inputs that do not fit the model.
//
// LiteRT.js is found in $OPSCOPE_NODE_DIR (default $HOME/.cache/opscope/node,
// see install.sh) or --node-dir.

import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { readNpy, writeNpy, typedView } from './npy.mjs';

class UsageError extends Error {}

// litert::ElementType values (dist/index.d.ts) -> npy.mjs dtype names.
const ELEMENT_TYPES = {
  1: 'float32', 2: 'int32', 3: 'uint8', 4: 'int64', 6: 'bool', 9: 'int8', 10: 'float16',
};
const ELEMENT_TYPE_NAMES = {
  0: 'NONE', 5: 'STRING', 7: 'INT16', 8: 'COMPLEX64', 11: 'FLOAT64', 12: 'COMPLEX128',
  13: 'UINT64', 14: 'RESOURCE', 15: 'VARIANT', 16: 'UINT32', 17: 'UINT16', 18: 'INT4',
  19: 'BFLOAT16',
};

function dtypeOfElementType(value, what) {
  const dtype = ELEMENT_TYPES[value];
  if (!dtype) {
    throw new Error(`${what} has element type ${ELEMENT_TYPE_NAMES[value] ?? value}, ` +
                    'which this runner does not support');
  }
  return dtype;
}

function parseArgs(argv) {
  const opts = { inputs: [], warmup: 5, runs: 0, verbose: false, describe: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    const count = () => {
      const v = next();
      if (!/^\d+$/.test(v)) throw new UsageError(`${a} needs a non-negative integer, got '${v}'`);
      return Number(v);
    };
    switch (a) {
      case '--model': opts.model = next(); break;
      case '--input': opts.inputs.push(next()); break;
      case '--out-dir': opts.outDir = next(); break;
      case '--runs': opts.runs = count(); break;
      case '--warmup': opts.warmup = count(); break;
      case '--json': opts.json = next(); break;
      case '--node-dir': opts.nodeDir = next(); break;
      case '--describe': opts.describe = true; break;
      case '--verbose': opts.verbose = true; break;
      case '-h': case '--help': opts.help = true; break;
      default: throw new UsageError(`unknown argument '${a}'`);
    }
  }
  if (opts.help) return opts;
  if (!opts.model) throw new UsageError('--model is required');
  if (!opts.describe && !opts.outDir) throw new UsageError('--out-dir is required');
  return opts;
}

// Loads the LiteRT.js Wasm module in Node and returns the LiteRt instance.
//
// The package targets browsers and workers. Its loader (@litertjs/wasm-utils)
// runs the Emscripten script with importScripts() when that exists (a
// worker), then takes `self.ModuleFactory`. The Emscripten script itself sees
// process.versions.node and takes its Node path: it needs `require` (for
// node:fs) and `__dirname` (where the .wasm sits) as globals, because
// importScripts evaluates it as a classic script, not a CommonJS module. So:
//   - self = globalThis, so that `var ModuleFactory` lands on self;
//   - importScripts(path) reads the file and runs it in this context;
//   - require/__dirname point into the package's wasm/ directory;
//   - self.Module carries print/printErr so that the runtime's logs go to
//     stderr and stdout keeps only our JSON line.
// loadLiteRt(dir, {threads: false, jspi: false}) then picks the build: the
// relaxed-SIMD one (litert_wasm_internal.js) when the engine supports relaxed
// SIMD, else litert_wasm_compat_internal.js. Node 20 has relaxed SIMD only
// behind --experimental-wasm-relaxed-simd, so by default it is the compat
// build. The threaded and JSPI builds are never used.
// Error lines the runtime has printed. A failed run() of LiteRT.js's compiled
// model (an unresolved custom op, a kernel that fails to prepare) only logs
// and hands back outputs it never wrote; LiteRtRunner.run() turns new lines
// here into an exception, so this tool never writes such outputs.
const runtimeErrors = [];

async function loadLiteRtInNode(nodeDir, verbose) {
  const anchor = path.join(nodeDir, 'package.json');
  let coreEntry;
  try {
    coreEntry = createRequire(anchor).resolve('@litertjs/core');
  } catch {
    throw new UsageError(`@litertjs/core is not installed in ${nodeDir}; run tools/litert/install.sh ` +
                         '(or set OPSCOPE_NODE_DIR / --node-dir)');
  }
  const wasmDir = path.join(path.dirname(coreEntry), '..', 'wasm');
  const loaded = { script: null };
  // Expected in Node, where there is no NPU: said once per environment.
  const benign = /^INFO: |^WARNING: \[npu_registry\.cc:\d+\] NPU accelerator could not be loaded/;
  const log = (s) => {
    if (/^ERROR: /.test(s)) runtimeErrors.push(s);
    if (verbose || !benign.test(s)) process.stderr.write(`[litert] ${s}\n`);
  };
  Object.assign(globalThis, {
    self: globalThis,
    require: createRequire(path.join(wasmDir, 'loader.js')),
    __dirname: wasmDir,
    importScripts: (...urls) => {
      for (const url of urls) {
        loaded.script = url;
        vm.runInThisContext(fs.readFileSync(url, 'utf8'), { filename: url });
      }
    },
    Module: { print: log, printErr: log },
  });
  const litert = await import(pathToFileURL(coreEntry).href);
  // The default environment asks navigator.gpu for a WebGPU device; Node has
  // none and LiteRT.js warns about it. That warning is expected: drop it.
  const warn = console.warn;
  console.warn = (...args) => {
    if (!verbose && String(args[0]).startsWith('Failed to create default WebGPU device')) return;
    warn(...args);
  };
  try {
    const liteRt = await litert.loadLiteRt(wasmDir + '/', { threads: false, jspi: false });
    return { liteRt, wasmFile: path.basename(loaded.script ?? '?') };
  } finally {
    console.warn = warn;
  }
}

function shapeOf(rankedTensorType) {
  const layout = rankedTensorType.layout();
  const dims = layout.dimensions();
  const shape = [];
  for (let i = 0; i < dims.size(); i++) shape.push(dims.get(i));
  dims.delete();
  layout.delete();
  return shape;
}

function describeTensorType(rankedTensorType, what) {
  const type = {
    dtype: dtypeOfElementType(rankedTensorType.elementType().value, what),
    shape: shapeOf(rankedTensorType),
  };
  rankedTensorType.delete();
  return type;
}

// The model as the runtime sees it, driven through the module's own bindings
// (LiteRt.liteRtWasm, typed in dist/index.d.ts) rather than the high-level
// Tensor API, which only handles float32, int32 and uint8 tensors.
class LiteRtRunner {
  constructor(liteRt, modelBytes) {
    this.wasm = liteRt.liteRtWasm;
    this.env = liteRt.getDefaultEnvironment();
    this.modelBytes = modelBytes;
  }

  async load() {
    const wasm = this.wasm;
    // The model keeps pointing into this copy; freed in delete().
    this.modelPtr = wasm._malloc(this.modelBytes.byteLength);
    wasm.HEAPU8.set(this.modelBytes, this.modelPtr);
    this.model = wasm.loadModel(this.env.liteRtEnvironment, this.modelPtr, this.modelBytes.byteLength);
    this.compiled = await wasm.compileModel(this.env.liteRtEnvironment, this.model, {
      environment: this.env,
      accelerator: 'wasm',
      cpuOptions: { numThreads: 1 },
      gpuOptions: {},
      webNNOptions: {},
    });
    const signature = this.model.getSignature(0);
    this.signatureKey = signature.key();
    const names = (vector) => {
      const out = [];
      for (let i = 0; i < vector.size(); i++) out.push(vector.get(i));
      vector.delete();
      return out;
    };
    const inputNames = names(signature.inputNames());
    const outputNames = names(signature.outputNames());
    signature.delete();
    this.inputs = inputNames.map((name, i) => ({
      name, ...describeTensorType(this.model.getInputTensorType(0, i), `input ${i} '${name}'`),
    }));
    this.outputs = outputNames.map((name, i) => ({
      name, ...describeTensorType(this.model.getOutputTensorType(0, i), `output ${i} '${name}'`),
    }));
  }

  // Checks the arrays against the model's inputs; throws a UsageError that
  // names the file and the mismatch.
  checkInputs(arrays, files) {
    if (arrays.length !== this.inputs.length) {
      throw new UsageError(`model has ${this.inputs.length} input(s) ` +
        `(${this.inputs.map((t) => `${t.name} ${t.dtype}[${t.shape}]`).join(', ')}), ` +
        `but ${arrays.length} .npy file(s) were given`);
    }
    arrays.forEach((a, i) => {
      const want = this.inputs[i];
      if (a.dtype !== want.dtype) {
        throw new UsageError(`${files[i]}: dtype ${a.dtype}, but input ${i} '${want.name}' is ${want.dtype}`);
      }
      const fits = a.shape.length === want.shape.length &&
                   a.shape.every((d, k) => want.shape[k] < 0 || d === want.shape[k]);
      if (!fits) {
        throw new UsageError(`${files[i]}: shape [${a.shape}], but input ${i} '${want.name}' ` +
                             `has shape [${want.shape}]`);
      }
    });
  }

  // One inference as a user of the runtime pays for it: copy the inputs into
  // fresh host tensor buffers, run, copy every output out of the Wasm heap.
  // Returns [{dtype, shape, data}] in output order.
  async run(arrays) {
    const wasm = this.wasm;
    const buffers = arrays.map((a) => {
      const dims = new wasm.VectorInt32();
      for (const d of a.shape) dims.push_back(d);
      const layout = wasm.LiteRtLayout.create(dims);
      dims.delete();
      const type = wasm.LiteRtRankedTensorType.create({ value: elementTypeOf(a.dtype) }, layout);
      layout.delete();
      const buffer = wasm.LiteRtTensorBuffer.createManaged(
        this.env.liteRtEnvironment, wasm.LiteRtTensorBufferType.HOST_MEMORY, type, a.data.byteLength);
      type.delete();
      const ptr = buffer.lock(wasm.LiteRtTensorBufferLockMode.WRITE);
      wasm.HEAPU8.set(a.data, ptr);  // HEAPU8 re-read: the heap may have grown
      buffer.unlock();
      return buffer;
    });
    let outBuffers;
    const errorsBefore = runtimeErrors.length;
    try {
      outBuffers = this.compiled.run(0, buffers);
      if (typeof outBuffers?.then === 'function') outBuffers = await outBuffers;
    } finally {
      for (const b of buffers) b.delete();
    }
    if (runtimeErrors.length > errorsBefore) {
      for (const b of outBuffers ?? []) b.delete();
      throw new Error(`LiteRT failed to run the model: ${runtimeErrors.slice(errorsBefore).join('; ')}`);
    }
    try {
      return outBuffers.map((buffer, i) => {
        const { dtype, shape } = describeTensorType(buffer.tensorType(), `output ${i}`);
        if (buffer.offset() !== 0 || buffer.size() !== buffer.packedSize()) {
          throw new Error(`output ${i} has strides or padding, which this runner does not support`);
        }
        const ptr = buffer.lock(wasm.LiteRtTensorBufferLockMode.READ);
        const data = wasm.HEAPU8.slice(ptr, ptr + buffer.packedSize());
        buffer.unlock();
        return { dtype, shape, data };
      });
    } finally {
      for (const b of outBuffers) b.delete();
    }
  }

  delete() {
    this.compiled?.delete();
    this.model?.delete();
    if (this.modelPtr) this.wasm._free(this.modelPtr);
  }
}

function elementTypeOf(dtype) {
  for (const [value, name] of Object.entries(ELEMENT_TYPES)) {
    if (name === dtype) return Number(value);
  }
  throw new Error(`no LiteRT element type for ${dtype}`);
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return null;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

// Summary of an output's values: min, max and the count of NaN/Inf for
// floating-point outputs (the first check of an oracle run).
function valueStats(array) {
  if (array.dtype === 'float16') return {};
  const view = typedView(array);
  let min = Infinity;
  let max = -Infinity;
  let nonfinite = 0;
  for (let i = 0; i < view.length; i++) {
    const v = Number(view[i]);
    if (!Number.isFinite(v)) { nonfinite++; continue; }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return view.length - nonfinite > 0 ? { min, max, nonfinite } : { nonfinite };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    const text = fs.readFileSync(new URL(import.meta.url), 'utf8').split('\n');
    process.stdout.write(text.slice(1, 25).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
    return 0;
  }
  const nodeDir = opts.nodeDir ?? process.env.OPSCOPE_NODE_DIR ??
                  path.join(process.env.HOME ?? '/root', '.cache', 'opscope', 'node');

  let modelBytes;
  try {
    modelBytes = fs.readFileSync(opts.model);
  } catch (e) {
    throw new UsageError(`cannot read model ${opts.model}: ${e.message}`);
  }
  let arrays;
  try {
    arrays = opts.inputs.map((f) => readNpy(f));
  } catch (e) {
    throw new UsageError(e.message);
  }

  const t0 = performance.now();
  const { liteRt, wasmFile } = await loadLiteRtInNode(nodeDir, opts.verbose);
  const runtimeInitMs = performance.now() - t0;

  const runner = new LiteRtRunner(liteRt, modelBytes);
  const t1 = performance.now();
  try {
    await runner.load();
  } catch (e) {
    throw new Error(`LiteRT could not load/compile ${opts.model}: ${e.message ?? e}`);
  }
  const loadMs = performance.now() - t1;

  const report = {
    model: opts.model,
    runtime: '@litertjs/core',
    wasm: wasmFile,
    accelerator: 'wasm',
    threads: 1,
    signature: runner.signatureKey,
    inputs: runner.inputs.map((t, i) => ({ ...t, file: opts.inputs[i] })),
    outputs: runner.outputs.map((t, i) => ({
      ...t, file: opts.outDir ? path.join(opts.outDir, `output_${i}.npy`) : undefined,
    })),
  };
  if (opts.describe) {
    report.inputs.forEach((t) => delete t.file);
    report.outputs.forEach((t) => delete t.file);
    process.stdout.write(JSON.stringify(report) + '\n');
    runner.delete();
    return 0;
  }

  runner.checkInputs(arrays, opts.inputs);

  const t2 = performance.now();
  const outputs = await runner.run(arrays);
  const firstRunMs = performance.now() - t2;

  fs.mkdirSync(opts.outDir, { recursive: true });
  outputs.forEach((out, i) => {
    writeNpy(path.join(opts.outDir, `output_${i}.npy`), out);
    Object.assign(report.outputs[i], { dtype: out.dtype, shape: out.shape }, valueStats(out));
  });

  // Timing. Every sample is one call of runner.run(): copying the inputs into
  // the Wasm heap, the inference, and copying the outputs back out. A user of
  // LiteRT.js pays all three on each inference, so they are all in; they are
  // also what a fair comparison with opscope's engine (which reads inputs and
  // writes outputs too) needs.
  const samples = [];
  if (opts.runs > 0) {
    for (let i = 0; i < opts.warmup; i++) await runner.run(arrays);
    for (let i = 0; i < opts.runs; i++) {
      const start = performance.now();
      await runner.run(arrays);
      samples.push(performance.now() - start);
    }
  }
  const timing = {
    samples_ms: samples,
    median_ms: median(samples),
    load_ms: loadMs,
    first_run_ms: firstRunMs,
    runtime_init_ms: runtimeInitMs,
    warmup_runs: opts.runs > 0 ? opts.warmup : 0,
    runs: opts.runs,
    min_ms: samples.length ? Math.min(...samples) : null,
    mean_ms: samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : null,
    wasm: wasmFile,
    threads: 1,
    node: process.version,
  };
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(timing, null, 1) + '\n');

  report.load_ms = loadMs;
  report.first_run_ms = firstRunMs;
  if (samples.length) report.median_ms = timing.median_ms;
  process.stdout.write(JSON.stringify(report) + '\n');
  runner.delete();
  return 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (e) => {
    process.stderr.write(`run_litert: ${e instanceof UsageError ? '' : 'error: '}${e?.message ?? e}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  });
