#!/usr/bin/env node
// PyTorch Mobile against our engine and ONNX Runtime, one network in three
// forms, float and int8, side by side in one run:
//   ptl f32       torchvision_<m>.ptl on PyTorch's runtime (opscope-runner, backend
//                 pytorch; channels_last input, as its XNNPACK convolutions want)
//   ptl int8      torchvision_<m>_int8.ptl (export_qdq_torchvision.py) on libtorch's
//                 default quantized engine (onednn on Debian's x86 build)
//   ptl qnnpack   the same file on qnnpack, PyTorch Mobile's engine on phones
//   opscope       torchvision_<m>.onnx on our engine (--backend, default native,xnnpack,cpu)
//   opscope int8  torchvision_<m>_qdq.onnx (the same calibration) on our engine
//   ORT           torchvision_<m>.onnx on ONNX Runtime 1.30 (tools/ort/run_ort.mjs)
//
//   node bench/pytorch_vs.mjs [--runner build/release/cli/opscope-runner] [--models DIR]
//        [--only mobilenet_v2,mobilenet_v3_small,resnet18] [--backend native,xnnpack,cpu]
//        [--threads 1] [--rounds 3] [--runs 20] [--warmup 3] [--json FILE]
//
// Every round runs each network once in each of the four, the order rotating
// from round to round, each a fresh process measuring --runs warm invokes on
// the same seeded 1x3x224x224 input. Medians over all warm samples, the
// ratios, and the per-op profiling overhead on PyTorch's runtime (the result
// document's profiling.overhead_pct: profiled against unprofiled invokes
// interleaved in the same run; median over the rounds, target <= 2%).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const home = os.homedir();

const a = {
  runner: path.join(root, 'build/release/cli/opscope-runner'),
  models: process.env.OPSCOPE_MODEL_DIR || path.join(home, '.cache/opscope/models'),
  nodeDir: process.env.OPSCOPE_NODE_DIR || path.join(home, '.cache/opscope/node'),
  only: 'mobilenet_v2,mobilenet_v3_small,resnet18',
  backend: 'native,xnnpack,cpu', threads: '1', rounds: 3, runs: 20, warmup: 3, json: '',
};
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '');
  if (key === 'help' || key === 'h') {
    console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n')
      .filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
    process.exit(0);
  }
  if (!(key in a) || process.argv[i + 1] === undefined) {
    console.error(`pytorch_vs: unknown or incomplete option ${process.argv[i]} (see --help)`);
    process.exit(2);
  }
  a[key] = process.argv[i + 1];
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const n = s.length;
  if (!n) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

// One opscope-runner case; PyTorch files keep their profiled invokes (for
// the overhead), the engine's run without them.
function runner(model, extra, jsonPath, input) {
  execFileSync(a.runner, [model, '--threads', a.threads, '--runs', String(a.runs),
    '--warmup', String(a.warmup), '--min-secs', '0', '--trace-invokes', '0', '--input', input,
    '--json', jsonPath, ...extra], { stdio: ['ignore', 'ignore', 'inherit'] });
  const d = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  if (d.status !== 'ok') throw new Error(`${model}: ${d.error.message}`);
  return { samples: d.latency_ms.samples, overhead: d.profiling?.overhead_pct };
}

function ort(model, input, dir) {
  const jsonPath = path.join(dir, 'ort.json');
  execFileSync(process.execPath, [path.join(root, 'tools/ort/run_ort.mjs'), '--model', model,
    '--input', input, '--out-dir', dir, '--threads', a.threads, '--runs', String(a.runs),
    '--warmup', String(a.warmup), '--json', jsonPath, '--node-dir', path.join(a.nodeDir, 'ort')],
  { stdio: ['ignore', 'ignore', 'inherit'] });
  return { samples: JSON.parse(fs.readFileSync(jsonPath, 'utf8')).samples_ms };
}

const names = a.only.split(',').filter(Boolean);
const kinds = ['ptl_f32', 'ptl_int8', 'ptl_qnnpack', 'opscope', 'opscope_int8', 'ort'];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'opscope-bench-pytorch-'));
const input = path.join(tmp, 'input.npy');
execFileSync(process.execPath, [path.join(root, 'tools/litert/make_npy.mjs'), '--out', input,
  '--shape', '1,3,224,224', '--dtype', 'float32', '--seed', '1'], { stdio: 'ignore' });
const res = Object.fromEntries(names.map((n) => [n, Object.fromEntries(
  kinds.map((k) => [k, { samples: [], overhead: [] }]))]));
for (let r = 0; r < Number(a.rounds); ++r) {
  for (const n of names) {
    process.stderr.write(`round ${r + 1}/${a.rounds}: ${n}\n`);
    const stem = path.join(a.models, `torchvision_${n}`);
    const dir = path.join(tmp, n);
    fs.mkdirSync(dir, { recursive: true });
    const run = {
      ptl_f32: () => runner(`${stem}.ptl`, [], path.join(dir, 'f32.json'), input),
      ptl_int8: () => runner(`${stem}_int8.ptl`, [], path.join(dir, 'int8.json'), input),
      ptl_qnnpack: () => runner(`${stem}_int8.ptl`, ['--torch-engine', 'qnnpack'],
        path.join(dir, 'qnnpack.json'), input),
      opscope: () => runner(`${stem}.onnx`, ['--backend', a.backend, '--no-op-profile'],
        path.join(dir, 'ours.json'), input),
      opscope_int8: () => runner(`${stem}_qdq.onnx`, ['--backend', a.backend, '--no-op-profile'],
        path.join(dir, 'ours_int8.json'), input),
      ort: () => ort(`${stem}.onnx`, input, dir),
    };
    for (let i = 0; i < kinds.length; ++i) {
      const k = kinds[(i + r) % kinds.length];
      const out = run[k]();
      res[n][k].samples.push(...out.samples);
      if (out.overhead !== undefined) res[n][k].overhead.push(out.overhead);
    }
  }
}

const pad = (s, w, left = false) => (left ? String(s).padEnd(w) : String(s).padStart(w));
const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1];
console.log(`CPU: ${cpu}, ${os.cpus().length} cores; ${a.threads} thread(s); ${a.rounds} ` +
            `rotating rounds x ${a.runs} warm runs; medians in ms`);
console.log('ptl: PyTorch 1.13 lite interpreter (Debian libtorch), int8 on onednn and on ' +
            `qnnpack; opscope: the ONNX files on ${a.backend}; ORT: ONNX Runtime 1.30 CPU EP`);
console.log([pad('network', 20, true), pad('ptl f32', 8), pad('ptl int8', 9), pad('qnnpack', 8),
  pad('opscope', 8), pad('ops int8', 9), pad('ORT', 7), pad('ptl/opscope', 12),
  pad('ptl/ORT', 8), pad('ptl int8/f32', 13), pad('int8 ptl/opscope', 17),
  pad('profiling overhead (f32, int8)', 31)].join(' '));
const summary = {};
for (const n of names) {
  const m = Object.fromEntries(kinds.map((k) => [k, median(res[n][k].samples)]));
  const oh = (k) => median(res[n][k].overhead);
  summary[n] = { ...m, overhead_f32_pct: oh('ptl_f32'), overhead_int8_pct: oh('ptl_int8') };
  const ok = (x) => (x <= 2 ? 'ok' : 'MISS');
  console.log([pad(n, 20, true), pad(m.ptl_f32.toFixed(2), 8), pad(m.ptl_int8.toFixed(2), 9),
    pad(m.ptl_qnnpack.toFixed(2), 8), pad(m.opscope.toFixed(2), 8),
    pad(m.opscope_int8.toFixed(2), 9), pad(m.ort.toFixed(2), 7),
    pad((m.ptl_f32 / m.opscope).toFixed(2), 12), pad((m.ptl_f32 / m.ort).toFixed(2), 8),
    pad((m.ptl_int8 / m.ptl_f32).toFixed(2), 13),
    pad((m.ptl_int8 / m.opscope_int8).toFixed(2), 17),
    pad(`${oh('ptl_f32').toFixed(1)}% ${ok(oh('ptl_f32'))}, ` +
        `${oh('ptl_int8').toFixed(1)}% ${ok(oh('ptl_int8'))}`, 31)].join(' '));
}
console.log('profiling overhead target: <= 2% of the median');
if (a.json) fs.writeFileSync(a.json, JSON.stringify(summary, null, 1));
fs.rmSync(tmp, { recursive: true, force: true });
