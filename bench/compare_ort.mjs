#!/usr/bin/env node
// opscope vs ONNX Runtime 1.30 (onnxruntime-node, CPU execution provider),
// side by side in one run, on the same ONNX models and inputs.
//
//   node bench/compare_ort.mjs [--runner build/release/cli/opscope-runner]
//        [--models DIR] [--only a,b] [--backend xnnpack,cpu] [--threads 1]
//        [--rounds 3] [--runs 20] [--warmup 3] [--json FILE]
//
// Default models: the torchvision exports (datasets/export_torchvision.py)
// torchvision_mobilenet_v2, torchvision_mobilenet_v3_small and
// torchvision_resnet18, 1x3x224x224. Each round runs every model once in ORT
// and once in opscope, alternating which goes first, so both see the same
// machine state (two noisy cores). Each run is a fresh process measuring
// --runs warm invokes with --threads intra-op threads. The table gives the
// median over all warm samples, the ratio opscope / ORT (below 1: opscope is
// faster) and the load times (opscope: load + partition + prepare + plan;
// ORT: session creation), each the median over the rounds. --json FILE also
// writes them as {model: {opscope_ms, ort_ms, load_opscope_ms, load_ort_ms}}.
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
    only: 'torchvision_mobilenet_v2,torchvision_mobilenet_v3_small,torchvision_resnet18',
    backend: 'xnnpack,cpu', threads: '1', rounds: 3, runs: 20, warmup: 3, json: '',
  };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (key === 'help' || key === 'h') {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n')
        .filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
      process.exit(0);
    }
    if (!(key in a) || argv[i + 1] === undefined) {
      console.error(`compare_ort: unknown or incomplete option ${argv[i]} (see --help)`);
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

function runOpscope(args, model, input, jsonPath) {
  execFileSync(args.runner, [model, '--backend', args.backend, '--threads', args.threads,
    '--runs', String(args.runs), '--warmup', String(args.warmup), '--min-secs', '0',
    '--no-op-profile', '--trace-invokes', '0', '--input', input, '--json', jsonPath],
  { stdio: ['ignore', 'ignore', 'inherit'] });
  const d = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  if (d.status !== 'ok') throw new Error(`${model}: ${d.error.message}`);
  const s = d.stages;
  return { samples: d.latency_ms.samples, load: s.load_ms + s.partition_ms + s.prepare_ms + s.plan_ms };
}

function runOrt(args, model, input, outDir, jsonPath) {
  execFileSync(process.execPath, [path.join(root, 'tools/ort/run_ort.mjs'), '--model', model,
    '--input', input, '--out-dir', outDir, '--threads', args.threads, '--runs', String(args.runs),
    '--warmup', String(args.warmup), '--json', jsonPath, '--node-dir', path.join(args.nodeDir, 'ort')],
  { stdio: ['ignore', 'ignore', 'inherit'] });
  const d = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  return { samples: d.samples_ms, load: d.load_ms };
}

const args = parseArgs(process.argv);
const names = args.only.split(',').filter(Boolean);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'opscope-bench-ort-'));
const results = Object.fromEntries(names.map((n) => [n, {
  opscope: { samples: [], load: [] }, ort: { samples: [], load: [] } }]));
const input = path.join(tmp, 'input.npy');
execFileSync(process.execPath, [path.join(root, 'tools/litert/make_npy.mjs'), '--out', input,
  '--shape', '1,3,224,224', '--dtype', 'float32', '--seed', '1'], { stdio: 'ignore' });
for (let r = 0; r < args.rounds; ++r) {
  for (const n of names) {
    process.stderr.write(`round ${r + 1}/${args.rounds}: ${n}\n`);
    const model = path.join(args.models, `${n}.onnx`);
    const dir = path.join(tmp, n);
    fs.mkdirSync(dir, { recursive: true });
    const order = r % 2 ? ['ort', 'opscope'] : ['opscope', 'ort'];
    for (const w of order) {
      const res = w === 'ort'
        ? runOrt(args, model, input, dir, path.join(dir, 'ort.json'))
        : runOpscope(args, model, input, path.join(dir, 'ours.json'));
      results[n][w].samples.push(...res.samples);
      results[n][w].load.push(res.load);
    }
  }
}

const pad = (s, w, left = false) => (left ? String(s).padEnd(w) : String(s).padStart(w));
console.log(`opscope (${args.backend}, ${args.threads} thread(s)) vs ONNX Runtime 1.30 (CPU EP, ` +
            `${args.threads} intra-op thread(s)); ${args.rounds} alternating rounds x ` +
            `${args.runs} warm runs; medians in ms`);
console.log([pad('model', 34, true), pad('opscope', 9), pad('ort', 9), pad('ratio', 7),
  pad('load opscope', 13), pad('load ort', 9)].join(' '));
const summary = {};
for (const n of names) {
  const o = median(results[n].opscope.samples);
  const t = median(results[n].ort.samples);
  summary[n] = { opscope_ms: o, ort_ms: t, load_opscope_ms: median(results[n].opscope.load),
    load_ort_ms: median(results[n].ort.load) };
  console.log([pad(n, 34, true), pad(o.toFixed(3), 9), pad(t.toFixed(3), 9),
    pad((o / t).toFixed(2), 7), pad(median(results[n].opscope.load).toFixed(1), 13),
    pad(median(results[n].ort.load).toFixed(1), 9)].join(' '));
}
if (args.json) fs.writeFileSync(args.json, JSON.stringify(summary, null, 1));
fs.rmSync(tmp, { recursive: true, force: true });
