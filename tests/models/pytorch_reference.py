"""PyTorch's own Python run of a .ptl or .pt file, the oracle of
pytorch_agreement_test: loads FILE with the lite interpreter (.ptl) or the
TorchScript loader (.pt) under the quantized ENGINE, runs forward() on the
.npy inputs given (4-d ones in MEMORY_FORMAT, as the runner feeds them) and
saves output_<i>.npy in OUT_DIR.

    /usr/bin/python3 pytorch_reference.py FILE OUT_DIR ENGINE MEMORY_FORMAT INPUT.npy ...
"""
import os
import sys

import numpy as np
import torch


def main():
    path, out_dir, engine, memory_format, inputs = (sys.argv[1], sys.argv[2], sys.argv[3],
                                                    sys.argv[4], sys.argv[5:])
    torch.set_num_threads(1)
    torch.backends.quantized.engine = engine  # before loading: weights pack for it
    if path.endswith(".ptl"):
        from torch.jit.mobile import _load_for_lite_interpreter
        module = _load_for_lite_interpreter(path)
    else:
        module = torch.jit.load(path)
    args = [torch.from_numpy(np.load(p)) for p in inputs]
    if memory_format == "channels_last":
        args = [a.contiguous(memory_format=torch.channels_last) if a.dim() == 4 else a
                for a in args]
    with torch.no_grad():
        out = module(*args)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    os.makedirs(out_dir, exist_ok=True)
    for i, t in enumerate(outs):
        np.save(os.path.join(out_dir, f"output_{i}.npy"), t.detach().numpy().astype(np.float32))


if __name__ == "__main__":
    main()
