"""Exports a small int8-quantized CNN to ONNX in QDQ form (QuantizeLinear /
DequantizeLinear around float ops), as PyTorch writes quantized models.

    /usr/bin/python3 datasets/export_qdq.py [--dir DIR] [--skip-existing]

Run with Debian's python3-torch 1.13 (no onnx Python package needed). The
network (seed 0): conv3x3+ReLU, depthwise conv3x3, pointwise conv1x1, a
residual add, conv3x3 stride 2 + ReLU, flatten, linear. It is quantized
with PyTorch's eager post-training flow on the qnnpack engine (per-tensor
uint8 activations, int8 weights), calibrated on 16 seeded random images,
and exported with torch.onnx.export(opset_version=13), input 'input'
1x3x16x16, output 'y', to DIR/qdq_small_cnn.onnx (DIR defaults to
$OPSCOPE_MODEL_DIR, else ~/.cache/opscope/models).

tests/models/ort_agreement_test.cc checks opscope against ONNX Runtime on
it with ORT's graph optimizations off, so that both run the QDQ graph as
written (ORT's optimizer would fuse it into its own integer kernels, whose
requantization differs).
"""
import argparse
import os

import torch

SEED = 0


class SmallCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.dequant = torch.ao.quantization.DeQuantStub()
        self.conv1 = torch.nn.Conv2d(3, 16, 3, padding=1)
        self.relu1 = torch.nn.ReLU()
        self.depthwise = torch.nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.pointwise = torch.nn.Conv2d(16, 16, 1)
        self.add = torch.nn.quantized.FloatFunctional()
        self.conv2 = torch.nn.Conv2d(16, 8, 3, stride=2, padding=1)
        self.relu2 = torch.nn.ReLU()
        self.fc = torch.nn.Linear(8 * 8 * 8, 10)

    def forward(self, x):
        x = self.relu1(self.conv1(self.quant(x)))
        x = self.add.add(x, self.pointwise(self.depthwise(x)))
        x = self.relu2(self.conv2(x))
        return self.dequant(self.fc(torch.flatten(x, 1)))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dir", default=os.environ.get("OPSCOPE_MODEL_DIR") or
                   os.path.join(os.path.expanduser("~"), ".cache/opscope/models"))
    p.add_argument("--skip-existing", action="store_true",
                   help="leave the model alone when its .onnx file exists")
    args = p.parse_args()
    path = os.path.join(args.dir, "qdq_small_cnn.onnx")
    if args.skip_existing and os.path.exists(path):
        print("qdq_small_cnn: already exported")
        return
    os.makedirs(args.dir, exist_ok=True)
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    torch.backends.quantized.engine = "qnnpack"
    model = SmallCnn().eval()
    model.qconfig = torch.ao.quantization.get_default_qconfig("qnnpack")
    torch.ao.quantization.fuse_modules(model, [["conv1", "relu1"], ["conv2", "relu2"]],
                                       inplace=True)
    torch.ao.quantization.prepare(model, inplace=True)
    with torch.no_grad():
        model(torch.rand((16, 3, 16, 16), generator=gen) * 2 - 1)
    torch.ao.quantization.convert(model, inplace=True)
    tmp = path + ".tmp"
    torch.onnx.export(model, torch.zeros(1, 3, 16, 16), tmp, opset_version=13,
                      input_names=["input"], output_names=["y"])
    os.replace(tmp, path)
    print(f"qdq_small_cnn: {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
