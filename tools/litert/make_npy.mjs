#!/usr/bin/env node
// Writes a seeded random .npy file (no Python or NumPy needed).
//
//   node make_npy.mjs --out FILE --shape 1,256,256,3 [--dtype float32]
//                     [--seed 1] [--min 0] [--max 1]
//
// Floats are uniform in [min, max) (default [0, 1)); integers are uniform in
// [min, max] clamped to the dtype's range (default: the whole range); bool is
// 0 or 1. The same seed always gives the same bytes.

import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DTYPES, writeNpy, typedView } from './npy.mjs';

// A small 32-bit PRNG (xorshift* variant); quality is ample for test inputs.
export function makeRng(seed) {
  let s = (seed >>> 0) || 0x9e3779b9;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return Math.imul(s, 0x2545f491) >>> 0;
  };
}

const INT_RANGES = {
  int8: [-128, 127], uint8: [0, 255], int32: [-2147483648, 2147483647],
  int64: [-2147483648, 2147483647], bool: [0, 1],
};

function floatToHalfBits(v) {
  // Round-to-nearest float32 -> float16 for values in the normal half range
  // (test inputs only; no NaN/Inf/subnormal handling beyond flush to zero).
  const f = new Float32Array([v]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return sign;
  if (exp >= 31) return sign | 0x7bff;
  let half = sign | (exp << 10) | ((u >>> 13) & 0x3ff);
  if (u & 0x1000) half += 1;
  return half;
}

export function randomArray({ dtype, shape, seed = 1, min, max }) {
  const info = DTYPES[dtype];
  if (!info) throw new Error(`unsupported dtype ${dtype} (one of ${Object.keys(DTYPES).join(', ')})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const array = { dtype, shape, data: new Uint8Array(count * info.size) };
  const view = typedView(array);
  const rng = makeRng(seed);
  if (dtype === 'float32' || dtype === 'float16') {
    const lo = min ?? 0;
    const hi = max ?? 1;
    for (let i = 0; i < count; i++) {
      const v = lo + (hi - lo) * (rng() / 4294967296);
      view[i] = dtype === 'float32' ? v : floatToHalfBits(v);
    }
  } else {
    const [tlo, thi] = INT_RANGES[dtype];
    const lo = Math.max(tlo, Math.ceil(min ?? tlo));
    const hi = Math.min(thi, Math.floor(max ?? thi));
    const span = hi - lo + 1;
    for (let i = 0; i < count; i++) {
      const v = lo + Math.floor((rng() / 4294967296) * span);
      view[i] = dtype === 'int64' ? BigInt(v) : v;
    }
  }
  return array;
}

function main(argv) {
  const opts = { dtype: 'float32', seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--out') opts.out = next();
    else if (a === '--shape') {
      const s = next();
      opts.shape = s === '' ? [] : s.split(/[,x]/).map((d) => {
        if (!/^\d+$/.test(d)) throw new Error(`bad --shape ${s}`);
        return Number(d);
      });
    } else if (a === '--dtype') opts.dtype = next();
    else if (a === '--seed') opts.seed = Number(next());
    else if (a === '--min') opts.min = Number(next());
    else if (a === '--max') opts.max = Number(next());
    else throw new Error(`unknown argument ${a}`);
  }
  if (!opts.out || !opts.shape) throw new Error('usage: make_npy.mjs --out FILE --shape D0,D1,... [--dtype T] [--seed S] [--min A] [--max B]');
  writeNpy(opts.out, randomArray(opts));
}

// Run as a program, not when imported by another script.
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`make_npy: ${e.message}`);
    process.exit(2);
  }
}
