#!/usr/bin/env node
// opscope vs LiteRT.js (the official TFLite runtime, WebAssembly + XNNPACK,
// one thread), side by side in one run, on the same models and inputs.
//
//   node bench/compare_litert.mjs [--runner build/release/harness/opscope-runner]
//        [--models DIR] [--only a,b] [--backend cpu] [--threads 1]
//        [--rounds 3] [--runs 20] [--warmup 3]
//
// Each round runs every model once in each runtime, alternating which goes
// first, so the two see the same machine state (two noisy cores). Each run
// is a fresh process measuring --runs warm invokes. The table gives the
// median over all warm samples of each runtime, their ratio (opscope /
// LiteRT.js: below 1 means opscope is faster), and the time to first result
// (load + prepare + first invoke) of each.
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
    runner: path.join(root, 'build/release/harness/opscope-runner'),
    models: process.env.OPSCOPE_MODEL_DIR || path.join(home, '.cache/opscope/models'),
    nodeDir: process.env.OPSCOPE_NODE_DIR || path.join(home, '.cache/opscope/node'),
    only: 'selfie_segmentation,selfie_segmentation_landscape,face_detection_short_range,' +
          'face_detection_full_range,hand_landmark_lite,hand_landmark_full,embedding_model,' +
          'alexa_v0.1,hey_mycroft_v0.1',
    backend: 'cpu', threads: '1', rounds: 3, runs: 20, warmup: 3,
  };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
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
  return a;
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const n = s.length;
  if (!n) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

function runOpscope(args, model, jsonPath) {
  execFileSync(args.runner, [model, '--backend', args.backend, '--threads', String(args.threads),
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
const results = Object.fromEntries(names.map((n) => [n, {
  ours: [], theirs: [], oursFirst: [], theirsFirst: [] }]));
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
    const order = r % 2 === 0 ? ['ours', 'theirs'] : ['theirs', 'ours'];
    for (const who of order) {
      const res = who === 'ours'
        ? runOpscope(args, model, path.join(dir, 'ours.json'))
        : runLiteRt(args, model, inputs[n], path.join(dir, 'out'), path.join(dir, 'litert.json'));
      results[n][who].push(...res.samples);
      results[n][`${who}First`].push(res.first);
    }
  }
}

const pad = (s, w, left = false) => (left ? String(s).padEnd(w) : String(s).padStart(w));
console.log(`opscope (--backend ${args.backend}, ${args.threads} thread) vs LiteRT.js 2.5.3 ` +
            `(wasm, 1 thread); ${args.rounds} interleaved rounds x ${args.runs} warm runs`);
console.log([pad('model', 32, true), pad('opscope ms', 11), pad('litert ms', 10),
  pad('ratio', 7), pad('first opscope', 14), pad('first litert', 13)].join('  '));
const ratios = [];
for (const n of names) {
  const r = results[n];
  const a = median(r.ours), b = median(r.theirs);
  ratios.push(a / b);
  console.log([pad(n, 32, true), pad(a.toFixed(3), 11), pad(b.toFixed(3), 10),
    pad((a / b).toFixed(2), 7), pad(median(r.oursFirst).toFixed(1), 14),
    pad(median(r.theirsFirst).toFixed(1), 13)].join('  '));
}
const geo = Math.exp(ratios.reduce((s, x) => s + Math.log(x), 0) / ratios.length);
console.log(`geometric mean of ratios (opscope / LiteRT.js): ${geo.toFixed(2)}`);
fs.rmSync(tmp, { recursive: true, force: true });
