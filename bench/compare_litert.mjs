#!/usr/bin/env node
// opscope vs LiteRT.js (the official TFLite runtime, WebAssembly + XNNPACK,
// one thread), side by side in one run, on the same models and inputs.
//
//   node bench/compare_litert.mjs [--runner build/release/cli/opscope-runner]
//        [--models DIR] [--only a,b] [--opscope BACKENDS@THREADS ...]
//        [--rounds 3] [--runs 20] [--warmup 3]
//
// --opscope may be repeated, e.g. --opscope xnnpack,cpu@1 --opscope cpu@1
// --opscope xnnpack,cpu@2 (default: cpu@1). Each round runs every model once
// in LiteRT.js and once per opscope configuration, rotating the order, so all
// see the same machine state (two noisy cores). Each run is a fresh process
// measuring --runs warm invokes. For each model the table gives the median
// over all warm samples of every configuration, its ratio to LiteRT.js
// (below 1: opscope is faster), the speedup of the first configuration over
// each other one, and the time to first result (load + prepare + first
// invoke) of the first configuration and of LiteRT.js.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const home = os.homedir();

function parseArgs(argv) {
  const a = {
    runner: path.join(root, 'build/release/cli/opscope-runner'),
    models: process.env.OPSCOPE_MODEL_DIR || path.join(home, '.cache/opscope/models'),
    nodeDir: process.env.OPSCOPE_NODE_DIR || path.join(home, '.cache/opscope/node'),
    only: 'selfie_segmentation,selfie_segmentation_landscape,face_detection_short_range,' +
          'face_detection_full_range,hand_landmark_lite,hand_landmark_full,embedding_model,' +
          'alexa_v0.1,hey_mycroft_v0.1',
    rounds: 3, runs: 20, warmup: 3, opscope: [],
  };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (key === 'opscope' && argv[i + 1] !== undefined) {
      const [backend, threads = '1'] = argv[i + 1].split('@');
      a.opscope.push({ backend, threads, label: `${backend}@${threads}` });
      continue;
    }
    if (key === 'help' || key === 'h') {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n')
        .filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
      process.exit(0);
    }
    if (!(key in a) || argv[i + 1] === undefined) {
      console.error(`compare_litert: unknown or incomplete option ${argv[i]}`);
      process.exit(2);
    }
    a[key] = argv[i + 1];
  }
  a.rounds = Number(a.rounds);
  if (a.opscope.length === 0) a.opscope.push({ backend: 'cpu', threads: '1', label: 'cpu@1' });
  return a;
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const n = s.length;
  if (!n) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

function runOpscope(args, config, model, jsonPath) {
  execFileSync(args.runner, [model, '--backend', config.backend, '--threads', config.threads,
    '--runs', String(args.runs), '--warmup', String(args.warmup), '--min-secs', '0',
    '--no-op-profile', '--json', jsonPath], { stdio: ['ignore', 'ignore', 'inherit'] });
  const d = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  if (d.status !== 'ok') throw new Error(`${model}: ${d.error.message}`);
  const s = d.stages;
  return {
    samples: d.latency_ms.samples,
    first: s.load_ms + s.partition_ms + s.prepare_ms + s.plan_ms + s.first_invoke_ms,
  };
}

function runLiteRt(args, model, inputs, outDir, jsonPath) {
  const argv = [path.join(root, 'tools/litert/run_litert.mjs'), '--model', model,
    '--out-dir', outDir, '--runs', String(args.runs), '--warmup', String(args.warmup),
    '--json', jsonPath, '--node-dir', args.nodeDir];
  for (const f of inputs) argv.push('--input', f);
  execFileSync(process.execPath, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  const d = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  return { samples: d.samples_ms, first: d.load_ms + d.first_run_ms };
}

// Random inputs for LiteRT.js, from the model's own description.
function makeInputs(model, dir) {
  const out = execFileSync(process.execPath, [path.join(root, 'tools/litert/run_litert.mjs'),
    '--model', model, '--describe', '--node-dir', parseArgs(process.argv).nodeDir],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const desc = JSON.parse(out.trim().split('\n').pop());
  return desc.inputs.map((inp, i) => {
    const file = path.join(dir, `input_${i}.npy`);
    execFileSync(process.execPath, [path.join(root, 'tools/litert/make_npy.mjs'), '--out', file,
      '--shape', inp.shape.join(','), '--dtype', inp.dtype, '--seed', String(i + 1)],
    { stdio: 'ignore' });
    return file;
  });
}

const args = parseArgs(process.argv);
const names = args.only.split(',').filter(Boolean);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'opscope-bench-'));
const who = [...args.opscope.map((c) => c.label), 'litert'];
const results = Object.fromEntries(names.map((n) => [n, Object.fromEntries(
  who.map((w) => [w, { samples: [], first: [] }]))]));
const inputs = {};
for (const n of names) {
  const dir = path.join(tmp, n);
  fs.mkdirSync(dir, { recursive: true });
  inputs[n] = makeInputs(path.join(args.models, `${n}.tflite`), dir);
}
for (let r = 0; r < args.rounds; ++r) {
  for (const n of names) {
    process.stderr.write(`round ${r + 1}/${args.rounds}: ${n}\n`);
    const model = path.join(args.models, `${n}.tflite`);
    const dir = path.join(tmp, n);
    const order = who.map((_, i) => who[(i + r) % who.length]);  // rotate
    for (const w of order) {
      const res = w === 'litert'
        ? runLiteRt(args, model, inputs[n], path.join(dir, 'out'), path.join(dir, 'litert.json'))
        : runOpscope(args, args.opscope.find((c) => c.label === w), model,
          path.join(dir, 'ours.json'));
      results[n][w].samples.push(...res.samples);
      results[n][w].first.push(res.first);
    }
  }
}

const pad = (s, w, left = false) => (left ? String(s).padEnd(w) : String(s).padStart(w));
const first = args.opscope[0].label;
console.log(`opscope vs LiteRT.js 2.5.3 (wasm, XNNPACK inside, 1 thread); ${args.rounds} ` +
            `rotated rounds x ${args.runs} warm runs; medians in ms`);
const header = [pad('model', 30, true)];
for (const c of args.opscope) header.push(pad(c.label, 14), pad('/litert', 8));
header.push(pad('litert', 9));
for (const c of args.opscope.slice(1)) header.push(pad(`${c.label}/${first}`, 16));
header.push(pad(`first ${first}`, 18), pad('first litert', 13));
console.log(header.join(' '));
const ratios = Object.fromEntries(args.opscope.map((c) => [c.label, []]));
for (const n of names) {
  const res = results[n];
  const lit = median(res.litert.samples);
  const row = [pad(n, 30, true)];
  for (const c of args.opscope) {
    const m = median(res[c.label].samples);
    ratios[c.label].push(m / lit);
    row.push(pad(m.toFixed(3), 14), pad((m / lit).toFixed(2), 8));
  }
  row.push(pad(lit.toFixed(3), 9));
  const m0 = median(res[first].samples);
  for (const c of args.opscope.slice(1)) {
    row.push(pad((median(res[c.label].samples) / m0).toFixed(2), 16));
  }
  row.push(pad(median(res[first].first).toFixed(1), 18), pad(median(res.litert.first).toFixed(1), 13));
  console.log(row.join(' '));
}
for (const c of args.opscope) {
  const r = ratios[c.label];
  const geo = Math.exp(r.reduce((s, x) => s + Math.log(x), 0) / r.length);
  console.log(`geometric mean of ${c.label} / LiteRT.js: ${geo.toFixed(2)}`);
}
fs.rmSync(tmp, { recursive: true, force: true });
