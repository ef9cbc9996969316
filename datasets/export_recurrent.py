"""Exports a small recurrent network to ONNX: LSTM, GRU and RNN layers as
PyTorch writes them, for the agreement test with ONNX Runtime.

    /usr/bin/python3 datasets/export_recurrent.py [--dir DIR] [--skip-existing]

Run with Debian's python3-torch 1.13 (no onnx Python package needed). The
network (seed 0), on x [seq 7, batch 2, 5] with initial LSTM states h0, c0
[4, 2, 8] as inputs:
  a 2-layer bidirectional LSTM (hidden 8)  -> ONNX LSTM, direction
    bidirectional, initial_h / initial_c, Y and Y_h used;
  a bidirectional GRU (hidden 6)           -> ONNX GRU, linear_before_reset 1;
  a single-direction RNN with ReLU (hidden 4) on the reversed sequence
    -> ONNX RNN, activations [Relu];
outputs y [7, 2, 4] and the LSTM's last hidden state h_n [4, 2, 8].
Written to DIR/recurrent_small.onnx (opset 14; DIR defaults to
$OPSCOPE_MODEL_DIR, else ~/.cache/opscope/models).
"""
import argparse
import os

import torch

SEED = 0


class SmallRecurrent(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(5, 8, num_layers=2, bidirectional=True)
        self.gru = torch.nn.GRU(16, 6, bidirectional=True)
        self.rnn = torch.nn.RNN(12, 4, nonlinearity="relu")

    def forward(self, x, h0, c0):
        y, (h_n, _) = self.lstm(x, (h0, c0))
        y, _ = self.gru(y)
        y, _ = self.rnn(torch.flip(y, [0]))
        return y, h_n


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dir", default=os.environ.get("OPSCOPE_MODEL_DIR") or
                   os.path.join(os.path.expanduser("~"), ".cache/opscope/models"))
    p.add_argument("--skip-existing", action="store_true",
                   help="leave the model alone when its .onnx file exists")
    args = p.parse_args()
    path = os.path.join(args.dir, "recurrent_small.onnx")
    if args.skip_existing and os.path.exists(path):
        print("recurrent_small: already exported")
        return
    os.makedirs(args.dir, exist_ok=True)
    torch.manual_seed(SEED)
    model = SmallRecurrent().eval()
    inputs = (torch.zeros(7, 2, 5), torch.zeros(4, 2, 8), torch.zeros(4, 2, 8))
    tmp = path + ".tmp"
    torch.onnx.export(model, inputs, tmp, opset_version=14,
                      input_names=["x", "h0", "c0"], output_names=["y", "h_n"])
    os.replace(tmp, path)
    print(f"recurrent_small: {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
