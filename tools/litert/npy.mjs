// Minimal .npy reader and writer (NumPy array format, versions 1.0, 2.0, 3.0).
//
// Supported: little-endian, C order, dtypes float32, float16, int8, uint8,
// int32, int64, bool. Arrays are kept as raw little-endian bytes plus dtype
// and shape, so no value is ever converted; `typedView` gives a typed view
// for inspection. Everything else (big-endian, fortran_order=True, object or
// structured dtypes, truncated files) is rejected with an Error that names
// the file and the reason.
//
// Format reference: numpy/lib/format.py documentation ("magic string",
// little-endian header length, a Python dict literal with 'descr',
// 'fortran_order' and 'shape', padded with spaces and ended by '\n').

import fs from 'node:fs';

// dtype name -> npy descr, element size, typed array constructor.
export const DTYPES = Object.freeze({
  float32: { descr: '<f4', size: 4, array: Float32Array },
  float16: { descr: '<f2', size: 2, array: Uint16Array },  // raw bits
  int8: { descr: '|i1', size: 1, array: Int8Array },
  uint8: { descr: '|u1', size: 1, array: Uint8Array },
  int32: { descr: '<i4', size: 4, array: Int32Array },
  int64: { descr: '<i8', size: 8, array: BigInt64Array },
  bool: { descr: '|b1', size: 1, array: Uint8Array },
});

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);  // \x93NUMPY

// Maps a descr string to a dtype name, or throws with the reason.
function dtypeFromDescr(descr) {
  const order = descr[0];
  const kind = descr.slice(1);
  if (descr === 'O' || kind.startsWith('O')) throw new Error('object arrays are not supported');
  for (const [name, info] of Object.entries(DTYPES)) {
    if (info.descr.slice(1) !== kind) continue;
    // For one-byte types the byte order character is irrelevant.
    if (info.size === 1 && (order === '|' || order === '<' || order === '>' || order === '=')) {
      return name;
    }
    if (order === '<') return name;
    if (order === '>') throw new Error(`big-endian dtype '${descr}' is not supported`);
    if (order === '=' || order === '|') {
      throw new Error(`dtype '${descr}' has no explicit little-endian byte order`);
    }
  }
  throw new Error(`unsupported dtype descr '${descr}'`);
}

// Parses the header dict literal: {'descr': '<f4', 'fortran_order': False,
// 'shape': (1, 2), }. A tiny tokenizer, not eval: only strings, True/False,
// integers, tuples and (to reject structured dtypes clearly) lists.
function parseHeaderDict(text) {
  let i = 0;
  const skip = () => { while (i < text.length && /\s/.test(text[i])) i++; };
  const expect = (c) => {
    skip();
    if (text[i] !== c) throw new Error(`malformed header: expected '${c}' at ${i}`);
    i++;
  };
  const value = () => {
    skip();
    const c = text[i];
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new Error('malformed header: unterminated string');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items = [];
      for (;;) {
        skip();
        if (text[i] === close) { i++; break; }
        items.push(value());
        skip();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === close) { i++; break; }
        throw new Error(`malformed header: bad tuple at ${i}`);
      }
      return c === '(' ? { tuple: items } : { list: items };
    }
    const m = /^(True|False|-?\d+L?)/.exec(text.slice(i));
    if (!m) throw new Error(`malformed header: unexpected '${text.slice(i, i + 10)}'`);
    i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    return Number(m[0].replace('L', ''));
  };
  const dict = {};
  expect('{');
  for (;;) {
    skip();
    if (text[i] === '}') { i++; break; }
    const key = value();
    if (typeof key !== 'string') throw new Error('malformed header: non-string key');
    expect(':');
    dict[key] = value();
    skip();
    if (text[i] === ',') { i++; continue; }
    if (text[i] === '}') { i++; break; }
    throw new Error(`malformed header: expected ',' or '}' at ${i}`);
  }
  return dict;
}

// Decodes .npy bytes. Returns {dtype, shape, data: Uint8Array (own, aligned)}.
export function decodeNpy(buf, name = '<buffer>') {
  try {
    buf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) {
      throw new Error('not a .npy file (bad magic)');
    }
    const major = buf[6];
    let headerLen;
    let headerStart;
    if (major === 1) {
      headerLen = buf.readUInt16LE(8);
      headerStart = 10;
    } else if (major === 2 || major === 3) {
      if (buf.length < 12) throw new Error('truncated header');
      headerLen = buf.readUInt32LE(8);
      headerStart = 12;
    } else {
      throw new Error(`unsupported .npy version ${major}.${buf[7]}`);
    }
    if (headerStart + headerLen > buf.length) throw new Error('truncated header');
    const header = buf.toString(major === 3 ? 'utf8' : 'latin1', headerStart, headerStart + headerLen);
    const dict = parseHeaderDict(header);
    if (typeof dict.descr !== 'string') {
      throw new Error(dict.descr && dict.descr.list ? 'structured dtypes are not supported'
                                                    : "header has no 'descr'");
    }
    if (dict.fortran_order !== false) {
      throw new Error(dict.fortran_order === true ? 'fortran_order=True is not supported'
                                                  : "header has no boolean 'fortran_order'");
    }
    if (!dict.shape || !Array.isArray(dict.shape.tuple) ||
        !dict.shape.tuple.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new Error("header 'shape' is not a tuple of non-negative integers");
    }
    const dtype = dtypeFromDescr(dict.descr);
    const shape = dict.shape.tuple;
    const count = shape.reduce((a, b) => a * b, 1);
    const bytes = count * DTYPES[dtype].size;
    const dataStart = headerStart + headerLen;
    const have = buf.length - dataStart;
    if (have < bytes) throw new Error(`truncated data: shape needs ${bytes} bytes, file has ${have}`);
    if (have > bytes) throw new Error(`${have - bytes} trailing bytes after the data`);
    // Copy: the data offset need not be aligned for a typed array view.
    const data = new Uint8Array(bytes);
    buf.copy(data, 0, dataStart, dataStart + bytes);
    return { dtype, shape, data };
  } catch (e) {
    throw new Error(`${name}: ${e.message}`);
  }
}

export function readNpy(path) {
  return decodeNpy(fs.readFileSync(path), path);
}

// Encodes an array as .npy bytes: version 1.0 when the header fits in 65535
// bytes, else 2.0; header padded so the data starts at a multiple of 64.
export function encodeNpy({ dtype, shape, data }) {
  const info = DTYPES[dtype];
  if (!info) throw new Error(`npy: unsupported dtype ${dtype}`);
  const count = shape.reduce((a, b) => a * b, 1);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.length !== count * info.size) {
    throw new Error(`npy: shape [${shape}] needs ${count * info.size} bytes, data has ${bytes.length}`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${info.descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let major = 1;
  let prefix = 10;
  if (dict.length + 1 + prefix > 65535) { major = 2; prefix = 12; }
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  dict = dict + ' '.repeat(total - prefix - dict.length - 1) + '\n';
  const out = Buffer.alloc(total + bytes.length);
  MAGIC.copy(out, 0);
  out[6] = major;
  out[7] = 0;
  if (major === 1) out.writeUInt16LE(dict.length, 8);
  else out.writeUInt32LE(dict.length, 8);
  out.write(dict, prefix, 'latin1');
  out.set(bytes, total);
  return out;
}

export function writeNpy(path, array) {
  fs.writeFileSync(path, encodeNpy(array));
}

// A typed view of the array's elements (float16 and bool as raw bytes/bits).
export function typedView({ dtype, data }) {
  const info = DTYPES[dtype];
  return new info.array(data.buffer, data.byteOffset, data.byteLength / info.size);
}
