"""PyTorch's own Python run of a .ptl or .pt file, the oracle of
pytorch_agreement_test: loads FILE with the lite interpreter (.ptl) or the
TorchScript loader (.pt), runs forward() on the .npy inputs given, saves
output_<i>.npy in OUT_DIR and prints the number of convolution modules of the
torchvision network the file came from.

    /usr/bin/python3 pytorch_reference.py FILE OUT_DIR INPUT.npy [INPUT.npy ...]
"""
import os
import sys

import numpy as np
import torch


def main():
    path, out_dir, inputs = sys.argv[1], sys.argv[2], sys.argv[3:]
    torch.set_num_threads(1)
    # The runner's default engine for int8 operators (--torch-engine).
    torch.backends.quantized.engine = "qnnpack"
    if path.endswith(".ptl"):
        from torch.jit.mobile import _load_for_lite_interpreter
        module = _load_for_lite_interpreter(path)
    else:
        module = torch.jit.load(path)
    args = [torch.from_numpy(np.load(p)) for p in inputs]
    with torch.no_grad():
        out = module(*args)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    os.makedirs(out_dir, exist_ok=True)
    for i, t in enumerate(outs):
        np.save(os.path.join(out_dir, f"output_{i}.npy"), t.detach().numpy().astype(np.float32))


if __name__ == "__main__":
    main()
