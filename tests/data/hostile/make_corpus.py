#!/usr/bin/env python3
"""Writes the hostile ONNX corpus of tests/data/hostile/ (docs/testing.md).

Each file is a few hundred bytes of protobuf written by hand (the `onnx`
Python package is not needed). The files are committed; this script says
how they were made and rewrites them byte for byte:
  python3 tests/data/hostile/make_corpus.py tests/data/hostile
What each file must give (exit code, message) is listed in corpus.txt.
Files that cannot live in git (a directory named x.onnx, a FIFO, a device)
are made by the tests at run time.
"""
import struct
import sys
from pathlib import Path

INT64_MAX = (1 << 63) - 1
FLOAT, INT64 = 1, 7


def varint(n):
    n &= (1 << 64) - 1  # negative int64 as protobuf writes it: 10 bytes
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_varint(num, value):
    return varint(num << 3) + varint(value)


def field_bytes(num, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return varint((num << 3) | 2) + varint(len(data)) + data


def dim(value=None, param=None):
    body = field_varint(1, value) if value is not None else field_bytes(2, param)
    return field_bytes(1, body)  # TensorShapeProto.dim


def value_info(name, dims, elem_type=FLOAT):
    shape = b"".join(dim(d) for d in dims)
    tensor_type = field_varint(1, elem_type) + field_bytes(2, shape)
    return field_bytes(1, name) + field_bytes(2, field_bytes(1, tensor_type))


def node(op, inputs, outputs, name):
    return (b"".join(field_bytes(1, i) for i in inputs) +
            b"".join(field_bytes(2, o) for o in outputs) +
            field_bytes(3, name) + field_bytes(4, op))


def tensor(name, dims, elem_type=FLOAT, raw=b""):
    return (b"".join(field_varint(1, d) for d in dims) + field_varint(2, elem_type) +
            field_bytes(8, name) + field_bytes(9, raw))


def model(nodes, inputs, outputs, initializers=(), opset=13):
    graph = (b"".join(field_bytes(1, n) for n in nodes) + field_bytes(2, "g") +
             b"".join(field_bytes(5, t) for t in initializers) +
             b"".join(field_bytes(11, v) for v in inputs) +
             b"".join(field_bytes(12, v) for v in outputs))
    opset_import = field_bytes(1, "") + field_varint(2, opset)
    return field_varint(1, 8) + field_bytes(8, opset_import) + field_bytes(7, graph)


def relu(in_name="x", out_name="y", node_name="relu", dims=(1, 4)):
    return model([node("Relu", [in_name], [out_name], node_name)],
                 [value_info(in_name, dims)], [value_info(out_name, dims)])


def add_with_initializer(dims):
    return model([node("Add", ["x", "w"], ["y"], "add")],
                 [value_info("x", (1, 4))], [value_info("y", (1, 4))],
                 [tensor("w", dims)])


def corpus():
    good = relu()
    latin1 = relu(b"x\xe9".decode("latin-1").encode("latin-1"), b"y\xff", b"n\xe9")
    flipped = bytearray(good)
    # The graph field's length varint, made far longer than the file.
    flipped[flipped.index(b"\x3a") + 1] = 0x7F
    return {
        "relu.onnx": good,
        "latin1_names.onnx": latin1,
        "dim_int64_max.onnx": relu(dims=(1, INT64_MAX)),
        "dims_100000_pow4.onnx": relu(dims=(100000, 100000, 100000, 100000)),
        "dim_negative.onnx": relu(dims=(-3, 4)),
        "initializer_int64_max.onnx": add_with_initializer((INT64_MAX, 1)),
        "initializer_wraps.onnx": add_with_initializer((1 << 32, 1 << 32, 1 << 2)),
        "truncated.onnx": good[: len(good) // 2],
        "flipped_length.onnx": bytes(flipped),
    }


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent)
    for name, data in corpus().items():
        (out / name).write_bytes(data)


if __name__ == "__main__":
    main()
