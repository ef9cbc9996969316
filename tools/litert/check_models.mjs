#!/usr/bin/env node
// Smoke test and timing of LiteRT.js on every .tflite model of the cache.
//
//   node check_models.mjs [--model-dir DIR] [--runs 20] [--warmup 5] [--work-dir DIR]
//
// For each .tflite file named in datasets/models.lock and present in DIR
// ($OPSCOPE_MODEL_DIR, default $HOME/.cache/opscope/models): asks
// run_litert.mjs for the inputs (--describe), writes seeded random inputs
// (uniform [0, 1) for floats), runs the model in a fresh process with --runs,
// and checks that every output file exists with the reported shape and only
// finite values. Prints one line per model and a JSON summary; exits 1 if any
// model fails or is missing. A model whose custom op LiteRT.js lacks on CPU
// is listed as refused (not a failure).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readNpy, writeNpy, typedView } from './npy.mjs';
import { randomArray } from './make_npy.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const lockFile = path.join(here, '..', '..', 'datasets', 'models.lock');

const opts = {
  modelDir: process.env.OPSCOPE_MODEL_DIR ??
            path.join(process.env.HOME ?? '/root', '.cache', 'opscope', 'models'),
  runs: 20,
  warmup: 5,
  workDir: null,
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const v = argv[i + 1];
  if (argv[i] === '--model-dir') opts.modelDir = v;
  else if (argv[i] === '--runs') opts.runs = Number(v);
  else if (argv[i] === '--warmup') opts.warmup = Number(v);
  else if (argv[i] === '--work-dir') opts.workDir = v;
  else { console.error(`check_models: unknown argument ${argv[i]}`); process.exit(2); }
  i++;
}
const workDir = opts.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'opscope-litert-'));

const models = fs.readFileSync(lockFile, 'utf8').split('\n')
  .map((l) => l.trim().split(/\s+/)[0])
  .filter((f) => f && !f.startsWith('#') && f.endsWith('.tflite'));

const runner = path.join(here, 'run_litert.mjs');
const results = [];
let failed = 0;
for (const file of models) {
  const model = path.join(opts.modelDir, file);
  const stem = file.replace(/\.tflite$/, '');
  const dir = path.join(workDir, stem);
  try {
    if (!fs.existsSync(model)) throw new Error(`missing ${model} (run datasets/fetch_models.sh)`);
    fs.mkdirSync(dir, { recursive: true });
    const described = JSON.parse(execFileSync('node', [runner, '--model', model, '--describe']));
    const inputs = described.inputs.map((t, i) => {
      const f = path.join(dir, `input_${i}.npy`);
      writeNpy(f, randomArray({ dtype: t.dtype, shape: t.shape.map((d) => (d < 0 ? 1 : d)), seed: 1 + i }));
      return f;
    });
    const timingFile = path.join(dir, 'timing.json');
    const args = [runner, '--model', model, ...inputs.flatMap((f) => ['--input', f]),
                  '--out-dir', dir, '--runs', String(opts.runs), '--warmup', String(opts.warmup),
                  '--json', timingFile];
    const report = JSON.parse(execFileSync('node', args));
    const timing = JSON.parse(fs.readFileSync(timingFile, 'utf8'));
    report.outputs.forEach((t, i) => {
      const out = readNpy(path.join(dir, `output_${i}.npy`));
      if (JSON.stringify(out.shape) !== JSON.stringify(t.shape) || out.dtype !== t.dtype) {
        throw new Error(`output ${i} file disagrees with the report`);
      }
      if (out.dtype === 'float32' && !typedView(out).every(Number.isFinite)) {
        throw new Error(`output ${i} '${t.name}' has non-finite values`);
      }
    });
    const io = (ts) => ts.map((t) => `${t.name} ${t.dtype}[${t.shape.join('x')}]`).join(', ');
    console.log(`ok    ${stem.padEnd(30)} median ${timing.median_ms.toFixed(2).padStart(8)} ms  ` +
                `load ${timing.load_ms.toFixed(1)} ms  in: ${io(report.inputs)}  out: ${io(report.outputs)}`);
    results.push({ model: file, ok: true, inputs: report.inputs.map(({ name, dtype, shape }) => ({ name, dtype, shape })),
                   outputs: report.outputs.map(({ name, dtype, shape, min, max }) => ({ name, dtype, shape, min, max })),
                   median_ms: timing.median_ms, load_ms: timing.load_ms, first_run_ms: timing.first_run_ms,
                   wasm: timing.wasm });
  } catch (e) {
    const stderr = e.stderr?.toString() ?? '';
    // LiteRT.js registers MediaPipe's landmark-crop custom ops
    // (Landmarks2TransformMatrix, ...) only in its WebGPU accelerator, so its
    // CPU path refuses face_landmark_with_attention: a known refusal, not a
    // failure of the model or of the cache.
    const refused = stderr.match(/unresolved custom op: ([A-Za-z0-9_]+)/);
    if (refused) {
      console.log(`refused ${stem.padEnd(28)} LiteRT.js on CPU has no custom op ${refused[1]}`);
      results.push({ model: file, ok: true, refused: `unresolved custom op ${refused[1]}` });
      continue;
    }
    failed++;
    const msg = (stderr.trim() || e.message).split('\n').slice(-3).join(' | ');
    console.log(`FAIL  ${stem.padEnd(30)} ${msg}`);
    results.push({ model: file, ok: false, error: msg });
  }
}
fs.writeFileSync(path.join(workDir, 'summary.json'), JSON.stringify(results, null, 1) + '\n');
console.log(`check_models: ${models.length - failed}/${models.length} ok; details in ${path.join(workDir, 'summary.json')}`);
process.exitCode = failed ? 1 : 0;
