"""Exports torchvision models quantized to int8 by PyTorch FX post-training
quantization as QDQ ONNX (QuantizeLinear / DequantizeLinear around float ops):
resnet18, mobilenet_v2 and mobilenet_v3_small.

    /usr/bin/python3 datasets/export_qdq_torchvision.py [--dir DIR] [--skip-existing] [MODEL ...]

Run with Debian's python3-torch 1.13 and python3-torchvision 0.14 (no onnx
Python package needed). Each model gets the seeded "sane weights" of
datasets/export_torchvision.py (its functions, imported), then

  * torch.ao.quantization.quantize_fx.prepare_fx with the qnnpack qconfig
    mapping and backend config (per-tensor uint8 activations, per-tensor
    symmetric int8 weights, int32 bias left in float: the runtime quantizes
    it at input_scale * weight_scale),
  * calibration on the same seeded batch that set the weights (4 images,
    uniform in [-1, 1]),
  * convert_to_reference_fx: the reference-quantized model (quantize /
    dequantize around float modules), which torch.onnx.export writes as
    QuantizeLinear / DequantizeLinear + float ops (opset 13),

to DIR/torchvision_<name>_qdq.onnx (input 'input' 1x3x224x224, output
'logits'; DIR defaults to $OPSCOPE_MODEL_DIR, else ~/.cache/opscope/models).
`opscope inspect` shows the op counts of the exported graph.

The same calibrated model, converted with convert_fx (PyTorch's own
quantized operators, qnnpack engine), traced and optimized for mobile, is
also written as DIR/torchvision_<name>_int8.ptl: the int8 PyTorch Mobile
file of the same network for the `pytorch` runtime (docs/pytorch.md).
"""
import argparse
import copy
import os
import sys

import torch
import torchvision
from torch.ao.quantization import get_default_qconfig_mapping
from torch.ao.quantization.backend_config import get_qnnpack_backend_config
from torch.ao.quantization.quantize_fx import convert_fx, convert_to_reference_fx, prepare_fx
from torch.utils.mobile_optimizer import optimize_for_mobile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_torchvision  # noqa: E402  (calibrate, SEED)

MODELS = ["resnet18", "mobilenet_v2", "mobilenet_v3_small"]


def _tensor_state_dict(module, keep_vars=False):
    """torch.jit._unique_state_dict without the non-tensor entries (the
    reference-quantized modules of torch 1.13 store their weight qscheme and
    dtype in the state dict, which torch.onnx.export cannot trace)."""
    out, seen = {}, set()
    for k, v in module.state_dict(keep_vars=True).items():
        if isinstance(v, torch.Tensor) and id(v) not in seen:
            seen.add(id(v))
            out[k] = v if keep_vars else v.detach()
    return out


def export(name, out_dir):
    torch.manual_seed(export_torchvision.SEED)
    gen = torch.Generator().manual_seed(export_torchvision.SEED)
    model = getattr(torchvision.models, name)(weights=None).eval()
    calib = torch.rand((4, 3, 224, 224), generator=gen) * 2 - 1
    export_torchvision.calibrate(model, calib, gen)

    torch.backends.quantized.engine = "qnnpack"
    backend_config = get_qnnpack_backend_config()
    prepared = prepare_fx(model, get_default_qconfig_mapping("qnnpack"), (calib[:1],),
                          backend_config=backend_config)
    with torch.no_grad():
        prepared(calib)
    quantized = convert_fx(copy.deepcopy(prepared), backend_config=backend_config)
    reference = convert_to_reference_fx(prepared, backend_config=backend_config)
    with torch.no_grad():
        y_float = model(calib[:1])
        y = reference(calib[:1])
    path = os.path.join(out_dir, f"torchvision_{name}_qdq.onnx")
    tmp = path + ".tmp"
    unique_state_dict = torch.jit._unique_state_dict
    torch.jit._unique_state_dict = torch.jit._trace._unique_state_dict = _tensor_state_dict
    try:
        torch.onnx.export(reference, calib[:1], tmp, opset_version=13, input_names=["input"],
                          output_names=["logits"], do_constant_folding=True)
    finally:
        torch.jit._unique_state_dict = torch.jit._trace._unique_state_dict = unique_state_dict
    os.replace(tmp, path)
    ptl = os.path.join(out_dir, f"torchvision_{name}_int8.ptl")
    with torch.no_grad():
        mobile = optimize_for_mobile(torch.jit.trace(quantized, calib[:1]))
    export_torchvision.save_mobile(mobile, calib[:1], ptl)
    print(f"  {ptl} ({os.path.getsize(ptl)} bytes)")
    err = float((y - y_float).abs().max())
    print(f"{name}: {path} ({os.path.getsize(path)} bytes), logits std {float(y.std()):.3f}, "
          f"max |int8 - float| {err:.3f}, top-1 equal {int(y.argmax()) == int(y_float.argmax())}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dir", default=os.environ.get("OPSCOPE_MODEL_DIR") or
                   os.path.join(os.path.expanduser("~"), ".cache/opscope/models"))
    p.add_argument("--skip-existing", action="store_true",
                   help="leave models whose _qdq.onnx and _int8.ptl files already exist alone")
    p.add_argument("models", nargs="*", default=MODELS)
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    torch.set_num_threads(2)
    for name in args.models:
        if name not in MODELS:
            sys.exit(f"export_qdq_torchvision: unknown model {name} (known: {', '.join(MODELS)})")
        stem = os.path.join(args.dir, f"torchvision_{name}")
        if args.skip_existing and all(os.path.exists(stem + s) for s in ("_qdq.onnx", "_int8.ptl")):
            print(f"{name}: already exported")
            continue
        export(name, args.dir)


if __name__ == "__main__":
    main()
