"""Exports torchvision models to ONNX: mobilenet_v2, mobilenet_v3_small, resnet18,
shufflenet_v2_x0_5, regnet_x_400mf and lraspp_mobilenet_v3_large (its "out" tensor).

    /usr/bin/python3 datasets/export_torchvision.py [--dir DIR] [MODEL ...]

Run with Debian's python3-torch 1.13 and python3-torchvision 0.14 (no onnx
Python package needed). Each model is built with weights=None and a fixed
seed, then given weights whose activations stay O(1) -- random-init nets
otherwise produce outputs around 1e-10..1e+10 and an agreement test on them
checks nothing:

  * every BatchNorm gets its running mean and variance from the batch
    statistics of its input on a seeded calibration batch (so each
    normalized activation has unit scale), and a random affine part
    (gamma in [0.5, 1.5], beta in [-0.5, 0.5]) so folding BN into the
    convolution is exercised with non-trivial values;
  * every Conv2d and Linear NOT followed by a BatchNorm (the squeeze-and-
    excitation convs, the classifier) is divided by the standard deviation
    of its output on that batch.

Layers are visited in forward order, each after the ones before it are
fixed. Exported with torch.onnx.export(opset_version=13), input 'input'
1x3x224x224, output 'logits', to DIR/torchvision_<name>.onnx (DIR defaults
to $OPSCOPE_MODEL_DIR, else ~/.cache/opscope/models).

mobilenet_v2, mobilenet_v3_small and resnet18 are also written, from the
same weights, as PyTorch Mobile files for the `pytorch` runtime
(docs/pytorch.md): DIR/torchvision_<name>.ptl (BatchNorm folded into the
convolutions by torch.fx's fuse, torch.jit.trace, optimize_for_mobile, saved
with _save_for_lite_interpreter, the calibration image bundled as its input
by torch.utils.bundled_inputs) and DIR/torchvision_<name>.pt (the traced
TorchScript module as it is). The fx fold comes first because Debian's
torch 1.13 optimize_for_mobile folds them wrongly on these networks (its
CONV_BN_FUSION pass: resnet18's logits off by up to 39 against the eager
model, correct once the BatchNorms are folded beforehand).
"""
import argparse
import os
import sys

import torch
import torchvision

MODELS = ["mobilenet_v2", "mobilenet_v3_small", "resnet18",
          # Split and channel shuffle; grouped convolutions; bilinear Resize.
          "shufflenet_v2_x0_5", "regnet_x_400mf", "lraspp_mobilenet_v3_large"]
# Segmentation models return {"out": ...}: export that tensor.
SEGMENTATION = {"lraspp_mobilenet_v3_large"}
# Also exported as .ptl and .pt (the PyTorch runtime's agreement tests).
MOBILE = {"mobilenet_v2", "mobilenet_v3_small", "resnet18"}


class OutOnly(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)["out"]
SEED = 0


def forward_order(model, x):
    """Conv2d, Linear and BatchNorm2d modules in the order forward calls them."""
    order = []
    hooks = [m.register_forward_hook(lambda m, i, o: order.append(m))
             for m in model.modules()
             if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear, torch.nn.BatchNorm2d))]
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return order


def capture(model, module, x):
    """The input and output of `module` in one forward pass."""
    seen = {}

    def hook(m, i, o):
        seen["in"], seen["out"] = i[0], o
    h = module.register_forward_hook(hook)
    with torch.no_grad():
        model(x)
    h.remove()
    return seen["in"], seen["out"]


def calibrate(model, x, gen):
    order = forward_order(model, x)
    followed_by_bn = {a for a, b in zip(order, order[1:]) if isinstance(b, torch.nn.BatchNorm2d)}
    with torch.no_grad():
        for m in order:
            if isinstance(m, torch.nn.BatchNorm2d):
                inp, _ = capture(model, m, x)
                m.running_mean.copy_(inp.mean(dim=(0, 2, 3)))
                m.running_var.copy_(inp.var(dim=(0, 2, 3), unbiased=False))
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
                m.bias.copy_(torch.rand(m.bias.shape, generator=gen) - 0.5)
            elif m not in followed_by_bn:
                _, out = capture(model, m, x)
                s = float(out.std())
                if s > 0:
                    m.weight.div_(s)
                    if m.bias is not None:
                        m.bias.div_(s)


def export(name, out_dir):
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    if name in SEGMENTATION:
        model = OutOnly(getattr(torchvision.models.segmentation, name)(
            weights=None, weights_backbone=None)).eval()
    else:
        model = getattr(torchvision.models, name)(weights=None).eval()
    calib = torch.rand((4, 3, 224, 224), generator=gen) * 2 - 1
    calibrate(model, calib, gen)
    with torch.no_grad():
        y = model(calib[:1])
    path = os.path.join(out_dir, f"torchvision_{name}.onnx")
    tmp = path + ".tmp"
    torch.onnx.export(model, calib[:1], tmp, opset_version=13, input_names=["input"],
                      output_names=["logits"], do_constant_folding=True)
    os.replace(tmp, path)
    print(f"{name}: {path} ({os.path.getsize(path)} bytes), logits std {float(y.std()):.3f}, "
          f"max |logit| {float(y.abs().max()):.3f}")
    if name in MOBILE:
        export_mobile(model, calib[:1], os.path.join(out_dir, f"torchvision_{name}"))


def export_mobile(model, x, stem):
    """stem.pt (traced TorchScript) and stem.ptl (optimized for mobile, lite interpreter)."""
    from torch.fx.experimental.optimization import fuse
    from torch.utils.mobile_optimizer import optimize_for_mobile
    with torch.no_grad():
        traced = torch.jit.trace(model, x)
        folded = torch.jit.trace(fuse(model), x)
    traced.save(stem + ".pt.tmp")
    os.replace(stem + ".pt.tmp", stem + ".pt")
    save_mobile(optimize_for_mobile(folded), x, stem + ".ptl")
    print(f"  {stem}.pt ({os.path.getsize(stem + '.pt')} bytes), "
          f"{stem}.ptl ({os.path.getsize(stem + '.ptl')} bytes)")


def save_mobile(module, x, path):
    """Saves an optimized module for the lite interpreter with `x` as its bundled
    input (runs without --shape), atomically."""
    import torch.utils.bundled_inputs as bundled
    bundled.augment_model_with_bundled_inputs(module, [(bundled.bundle_large_tensor(x),)])
    module._save_for_lite_interpreter(path + ".tmp")
    os.replace(path + ".tmp", path)


def exported(name, out_dir):
    stem = os.path.join(out_dir, f"torchvision_{name}")
    files = [stem + ".onnx"] + ([stem + ".pt", stem + ".ptl"] if name in MOBILE else [])
    return all(os.path.exists(f) for f in files)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dir", default=os.environ.get("OPSCOPE_MODEL_DIR") or
                   os.path.join(os.path.expanduser("~"), ".cache/opscope/models"))
    p.add_argument("--skip-existing", action="store_true",
                   help="leave models whose files (.onnx, and .pt/.ptl where made) already exist alone")
    p.add_argument("models", nargs="*", default=MODELS)
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    torch.set_num_threads(2)
    for name in args.models:
        if name not in MODELS:
            sys.exit(f"export_torchvision: unknown model {name} (known: {', '.join(MODELS)})")
        if args.skip_existing and exported(name, args.dir):
            print(f"{name}: already exported")
            continue
        export(name, args.dir)


if __name__ == "__main__":
    main()
