#!/usr/bin/python3
"""PyTorch reimplementation of the reference training semantics, as the golden cases in
core/train/testdata/reference record them.

This is NOT the reference code (we do not have it and copy nothing from it): it is a
short, independent PyTorch version of what REFERENCE.md says the reference computes,
written so that our Go trainer can be compared with it. It is checked against the 68
golden fixtures by check_fixtures.py.

Learning rules. Every hidden block ends with a "hook" (a torch.autograd.Function that is
the identity going forward). Going backward, the hook replaces the gradient w.r.t. the
block's post-activation output by the rule's learning signal:
    BP, FA : the incoming gradient, unchanged
    DFA    : e . B_k          e = y - t, y = output after the output activation
    sDFA   : sign(e) . B_k    (softmax(output) when the loss is CE and output act is none)
    DRTP   : t . B_k          t = one-hot target
    shallow: zero
The signals are not divided by the batch size. FA uses a custom linear / conv Function
whose backward sends the gradient down through the fixed matrix B (same shape as W)
while the weight gradient stays exact. The output layer always gets the loss gradient.

Subcommands:
    reference.py train --train-mode DRTP --topology FC_500_FC_10 --lr 1e-3 --epochs 3 --seed 1
    reference.py bench --train-mode BP --topology FC_500_FC_10 --batch-size 100

Use Debian's python (/usr/bin/python3) with python3-torch; everything runs on one thread.
"""
import argparse
import gzip
import json
import math
import os
import re
import statistics
import struct
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

MODES = ["BP", "FA", "DFA", "sDFA", "DRTP", "shallow"]
OPTIMIZERS = ["SGD", "NAG", "Adam", "RMSprop"]
LOSSES = ["MSE", "BCE", "CE"]
HIDDEN_ACTS = ["tanh", "sigmoid", "relu"]
OUTPUT_ACTS = ["sigmoid", "tanh", "none"]


# ----------------------------------------------------------------------------- topology

def parse_topology(s):
    """'CONV_32_5_1_2_FC_1000_FC_10' -> [('CONV', out, k, stride, pad), ('FC', units), ...]."""
    tokens = s.split("_")
    blocks, i = [], 0
    while i < len(tokens):
        kind = tokens[i]
        n = {"CONV": 4, "FC": 1}.get(kind)
        if n is None:
            raise ValueError(f"topology {s!r}: expected CONV_out_k_stride_pad or FC_units at {kind!r}")
        nums = tokens[i + 1:i + 1 + n]
        if len(nums) < n or not all(re.fullmatch(r"[0-9]+", v) for v in nums):
            raise ValueError(f"topology {s!r}: {kind} needs {n} non-negative integers")
        vals = [int(v) for v in nums]
        if kind == "CONV":
            if vals[0] < 1 or vals[1] < 1 or vals[2] < 1:
                raise ValueError(f"topology {s!r}: CONV channels, kernel and stride must be positive")
            if blocks and blocks[-1][0] == "FC":
                raise ValueError(f"topology {s!r}: CONV after FC")
        elif vals[0] < 1:
            raise ValueError(f"topology {s!r}: FC needs at least one unit")
        blocks.append((kind, *vals))
        i += 1 + n
    if not blocks or blocks[-1][0] != "FC":
        raise ValueError(f"topology {s!r}: the last block (the output layer) must be FC")
    return blocks


# ----------------------------------------------------------------------------- learning rules

class Signal:
    """What the hooks read during backward: y (network output after the output
    activation, softmax for CE with output act none) and t (the target rows)."""
    y = None
    t = None


class HookFn(torch.autograd.Function):
    """Identity forward; backward returns the rule's learning signal instead of the gradient."""

    @staticmethod
    def forward(ctx, x, B, mode, signal):
        ctx.mode, ctx.signal = mode, signal
        if B is not None:
            ctx.save_for_backward(B)
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        mode = ctx.mode
        if mode in ("BP", "FA"):
            return grad, None, None, None
        if mode == "shallow":
            return torch.zeros_like(grad), None, None, None
        (B,) = ctx.saved_tensors
        y, t = ctx.signal.y, ctx.signal.t
        if mode == "DFA":
            s = y - t
        elif mode == "sDFA":
            s = torch.sign(y - t)
        else:  # DRTP
            s = t
        return (s @ B.reshape(B.shape[0], -1)).view_as(grad), None, None, None


class FALinearFn(torch.autograd.Function):
    """y = x W^T + b; backward: exact dW, db, but grad_x = g B (B fixed, same shape as W)."""

    @staticmethod
    def forward(ctx, x, W, b, B):
        ctx.save_for_backward(x, B)
        return F.linear(x, W, b)

    @staticmethod
    def backward(ctx, g):
        x, B = ctx.saved_tensors
        gx = g @ B if ctx.needs_input_grad[0] else None
        gW = g.t() @ x if ctx.needs_input_grad[1] else None
        gb = g.sum(0) if ctx.needs_input_grad[2] else None
        return gx, gW, gb, None


class FAConvFn(torch.autograd.Function):
    """conv2d; backward: exact dW, db, but grad_x through the fixed kernel B."""

    @staticmethod
    def forward(ctx, x, W, b, B, stride, pad):
        ctx.save_for_backward(x, B)
        ctx.stride, ctx.pad, ctx.wshape = stride, pad, W.shape
        return F.conv2d(x, W, b, stride, pad)

    @staticmethod
    def backward(ctx, g):
        x, B = ctx.saved_tensors
        s, p = ctx.stride, ctx.pad
        gx = torch.nn.grad.conv2d_input(x.shape, B, g, s, p) if ctx.needs_input_grad[0] else None
        gW = torch.nn.grad.conv2d_weight(x, ctx.wshape, g, s, p) if ctx.needs_input_grad[1] else None
        gb = g.sum((0, 2, 3)) if ctx.needs_input_grad[2] else None
        return gx, gW, gb, None, None, None


# ----------------------------------------------------------------------------- network

def activation(name, x):
    if name == "tanh":
        return torch.tanh(x)
    if name == "sigmoid":
        return torch.sigmoid(x)
    if name == "relu":
        return torch.relu(x)
    if name == "none":
        return x
    raise ValueError(f"unknown activation {name!r}")


def uniform_(t, bound):
    with torch.no_grad():
        t.uniform_(-bound, bound)


class Hook(nn.Module):
    """Learning-signal point after a hidden block's activation. Its fixed matrix
    `feedback` ([labels, units] or [labels, C, H, W]) exists for DFA, sDFA and DRTP."""

    def __init__(self, mode, labels, shape, signal):
        super().__init__()
        self.mode, self.signal = mode, signal
        if mode in ("DFA", "sDFA", "DRTP"):
            B = torch.empty(labels, *shape)
            uniform_(B, math.sqrt(6 / math.prod(shape)))
            self.register_buffer("feedback", B)
        else:
            self.feedback = None

    def forward(self, x):
        return HookFn.apply(x, self.feedback, self.mode, self.signal)


class Block(nn.Module):
    """FC block: dropout -> linear -> act -> hook (hidden only).
    CONV block: conv -> act -> hook -> 2x2 max-pool."""

    def __init__(self, spec, in_shape, labels, mode, act, is_output, signal, dropout, fc_zero_init, freeze_conv):
        super().__init__()
        self.kind, self.act, self.mode, self.dropout = spec[0], act, mode, dropout
        if self.kind == "CONV":
            _, cout, k, s, p = spec
            cin, h, w = in_shape
            self.conv = nn.Conv2d(cin, cout, k, s, p)
            fan_in = cin * k * k
            uniform_(self.conv.weight, 1 / math.sqrt(fan_in))
            uniform_(self.conv.bias, 1 / math.sqrt(fan_in))
            if mode == "FA":
                B = torch.empty_like(self.conv.weight)
                uniform_(B, math.sqrt(6 / fan_in))
                self.conv.register_buffer("feedback", B)
            ho, wo = (h - k + 2 * p) // s + 1, (w - k + 2 * p) // s + 1
            if ho < 1 or wo < 1:
                raise ValueError(f"CONV_{cout}_{k}_{s}_{p}: input {h}x{w} too small")
            self.hook = Hook(mode, labels, (cout, ho, wo), signal)
            self.out_shape = (cout, ho // 2, wo // 2)
            if freeze_conv:
                self.conv.weight.requires_grad_(False)
                self.conv.bias.requires_grad_(False)
        else:
            fan_in = math.prod(in_shape)
            units = spec[1]
            self.fc = nn.Linear(fan_in, units)
            uniform_(self.fc.weight, 1 / math.sqrt(fan_in))
            uniform_(self.fc.bias, 1 / math.sqrt(fan_in))
            if fc_zero_init:
                with torch.no_grad():
                    self.fc.weight.zero_()
            if mode == "FA":
                B = torch.empty_like(self.fc.weight)
                uniform_(B, math.sqrt(6 / fan_in))
                self.fc.register_buffer("feedback", B)
            self.hook = None if is_output else Hook(mode, labels, (units,), signal)
            self.out_shape = (units,)

    def forward(self, x):
        if self.kind == "CONV":
            c = self.conv
            if self.mode == "FA":
                x = FAConvFn.apply(x, c.weight, c.bias, c.feedback, c.stride[0], c.padding[0])
            else:
                x = F.conv2d(x, c.weight, c.bias, c.stride, c.padding)
            x = self.hook(activation(self.act, x))
            return F.max_pool2d(x, 2, 2)
        x = x.reshape(x.shape[0], -1)  # channel-major flatten (N, C, H, W)
        x = F.dropout(x, self.dropout, self.training)
        if self.mode == "FA":
            x = FALinearFn.apply(x, self.fc.weight, self.fc.bias, self.fc.feedback)
        else:
            x = self.fc(x)
        x = activation(self.act, x)
        return self.hook(x) if self.hook is not None else x


class Net(nn.Module):
    def __init__(self, topology, in_shape, labels, mode="DRTP", hidden_act="tanh", conv_act="tanh",
                 output_act="sigmoid", dropout=0.0, fc_zero_init=False, freeze_conv=False):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"unknown train mode {mode!r}")
        specs = parse_topology(topology)
        if specs[-1][1] != labels:
            raise ValueError(f"topology {topology!r}: output layer has {specs[-1][1]} units, data has {labels} labels")
        self.signal = Signal()
        layers, shape = [], tuple(in_shape)
        for i, spec in enumerate(specs):
            is_out = i == len(specs) - 1
            act = output_act if is_out else (conv_act if spec[0] == "CONV" else hidden_act)
            b = Block(spec, shape, labels, mode, act, is_out, self.signal, dropout, fc_zero_init, freeze_conv)
            layers.append(b)
            shape = b.out_shape
        self.layers = nn.ModuleList(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def compute_loss(loss_name, out, t, reduction="mean"):
    if loss_name == "BCE":
        return F.binary_cross_entropy(out, t, reduction=reduction)
    if loss_name == "MSE":
        return F.mse_loss(out, t, reduction=reduction)
    if loss_name == "CE":
        return F.cross_entropy(out, t.argmax(1), reduction=reduction)
    raise ValueError(f"unknown loss {loss_name!r}")


def forward_backward(net, x, t, loss_name, output_act):
    """One forward and backward pass (gradients accumulate into .grad); returns the loss."""
    out = net(x)
    loss = compute_loss(loss_name, out, t)
    y = out.detach()
    if loss_name == "CE" and output_act == "none":
        y = torch.softmax(y, 1)
    net.signal.y, net.signal.t = y, t
    loss.backward()
    return loss


def make_optimizer(name, params, lr):
    if name == "SGD":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "NAG":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True)
    if name == "Adam":
        return torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    if name == "RMSprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=0.99, eps=1e-8)
    raise ValueError(f"unknown optimizer {name!r}")


def trainable(net):
    return [p for p in net.parameters() if p.requires_grad]


def train_step(net, opt, x, t, loss_name, output_act):
    opt.zero_grad()
    loss = forward_backward(net, x, t, loss_name, output_act)
    opt.step()
    return loss


@torch.no_grad()
def evaluate(net, X, labels, n_labels, loss_name, batch_size):
    """Sum-reduced loss over the set / number of samples, and argmax accuracy in percent."""
    net.eval()
    total, correct = 0.0, 0
    for i in range(0, len(X), batch_size):
        x, lab = X[i:i + batch_size], labels[i:i + batch_size]
        out = net(x)
        t = F.one_hot(lab, n_labels).to(out.dtype)
        total += compute_loss(loss_name, out, t, reduction="sum").item()
        correct += (out.argmax(1) == lab).sum().item()
    net.train()
    return total / len(X), 100.0 * correct / len(X)


# ----------------------------------------------------------------------------- data

def default_mnist_dir():
    """The folder `go run ./tools/mnist` fills and prints (this machine's MNIST cache)."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    return subprocess.run(["go", "run", "./tools/mnist"], cwd=root, capture_output=True,
                          text=True, check=True).stdout.strip()


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    magic, = struct.unpack(">I", raw[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    data = torch.frombuffer(bytearray(raw[4 + 4 * ndim:]), dtype=torch.uint8)
    return data.reshape(dims)


def find(folder, stem):
    for name in (stem + ".gz", stem):
        p = os.path.join(folder, name)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"{stem}(.gz) not in {folder}")


def load_mnist(folder, dtype):
    """Pixels / 255 as [N, 1, 28, 28], labels as int64."""
    sets = []
    for prefix in ("train", "t10k"):
        x = read_idx(find(folder, f"{prefix}-images-idx3-ubyte")).to(dtype).div_(255).unsqueeze(1)
        y = read_idx(find(folder, f"{prefix}-labels-idx1-ubyte")).long()
        sets.append((x, y))
    return sets


# ----------------------------------------------------------------------------- commands

def add_common(p):
    p.add_argument("--train-mode", default="DRTP", choices=MODES)
    p.add_argument("--topology", default="CONV_32_5_1_2_FC_1000_FC_10")
    p.add_argument("--optimizer", default="NAG", choices=OPTIMIZERS)
    p.add_argument("--loss", default="BCE", choices=LOSSES)
    p.add_argument("--hidden-act", default="tanh", choices=HIDDEN_ACTS)
    p.add_argument("--conv-act", default="tanh", choices=HIDDEN_ACTS)
    p.add_argument("--output-act", default="sigmoid", choices=OUTPUT_ACTS)
    p.add_argument("--fc-zero-init", action="store_true")
    p.add_argument("--freeze-conv-layers", action="store_true")
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", default=None, help="folder of MNIST IDX files (default: the one `go run ./tools/mnist` prints)")
    p.add_argument("--float64", action="store_true", help="compute in float64 instead of float32")


def setup(args):
    if args.loss == "BCE" and args.output_act != "sigmoid":
        sys.exit(f"reference.py: the BCE loss needs outputs in [0, 1]: use --output-act sigmoid, not {args.output_act}")
    if not 0 <= args.dropout < 1:
        sys.exit("reference.py: --dropout must be in [0, 1)")
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    dtype = torch.float64 if args.float64 else torch.float32
    torch.set_default_dtype(dtype)
    (xtr, ytr), (xte, yte) = load_mnist(args.data or default_mnist_dir(), dtype)
    try:
        net = Net(args.topology, (1, 28, 28), 10, args.train_mode, args.hidden_act, args.conv_act,
                  args.output_act, args.dropout, args.fc_zero_init, args.freeze_conv_layers)
    except ValueError as e:
        sys.exit(f"reference.py: {e}")
    opt = make_optimizer(args.optimizer, trainable(net), args.lr)
    return net, opt, (xtr, ytr), (xte, yte), dtype


def cmd_train(args):
    net, opt, (xtr, ytr), (xte, yte), dtype = setup(args)
    ttr = F.one_hot(ytr, 10).to(dtype)
    gen = torch.Generator().manual_seed(args.seed)
    log = open(args.log, "w") if args.log else None
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread, {dtype}. {args.train_mode} "
          f"{args.topology}, {args.optimizer} lr {args.lr:g}, {args.loss}, seed {args.seed}", flush=True)
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        perm = torch.randperm(len(xtr), generator=gen)
        for i in range(0, len(xtr), args.batch_size):
            idx = perm[i:i + args.batch_size]
            loss = train_step(net, opt, xtr[idx], ttr[idx], args.loss, args.output_act)
            if not math.isfinite(loss.item()):
                sys.exit(f"reference.py: epoch {epoch}: the loss diverged ({loss.item()})")
        secs = time.perf_counter() - start
        rec = {"library": "pytorch-reference", "mode": args.train_mode, "topology": args.topology,
               "fc_zero_init": args.fc_zero_init, "seed": args.seed, "epoch": epoch}
        print(f"\nSummary of epoch {epoch}:")
        if args.train_eval:
            rec["train_loss"], rec["train_accuracy"] = evaluate(net, xtr, ytr, 10, args.loss, args.test_batch_size)
            print(f"\t[Training set] Loss: {rec['train_loss']:6f}, Accuracy: {rec['train_accuracy']:6.2f}%")
        rec["test_loss"], rec["test_accuracy"] = evaluate(net, xte, yte, 10, args.loss, args.test_batch_size)
        rec["seconds"], rec["samples_per_second"] = secs, len(xtr) / secs
        print(f"\t[ Testing set] Loss: {rec['test_loss']:6f}, Accuracy: {rec['test_accuracy']:6.2f}%")
        print(f"\tTraining took {secs:.2f} s, {len(xtr) / secs:.0f} samples/s")
        print(json.dumps(rec), flush=True)
        if log:
            log.write(json.dumps(rec) + "\n")
            log.flush()


def blas_library():
    """The BLAS shared library this process loaded (Debian's torch uses libblas.so.3)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if re.search(r"blas|mkl", line.split()[-1], re.I)}
    except OSError:
        return "unknown"
    return ",".join(sorted(os.path.realpath(l) for l in libs)) or "none"


def cmd_bench(args):
    net, opt, (xtr, ytr), _, dtype = setup(args)
    ttr = F.one_hot(ytr, 10).to(dtype)
    bs = args.batch_size
    perm = torch.randperm(len(xtr), generator=torch.Generator().manual_seed(args.seed))
    nb = len(xtr) // bs
    batches = [(xtr[perm[j * bs:(j + 1) * bs]].contiguous(), ttr[perm[j * bs:(j + 1) * bs]].contiguous())
               for j in range(min(nb, max(args.steps, args.warmup)))]
    step = lambda j: train_step(net, opt, *batches[j % len(batches)], args.loss, args.output_act)
    for j in range(args.warmup):
        step(j)
    rates = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        for j in range(args.steps):
            step(j)
        rates.append(args.steps * bs / (time.perf_counter() - start))
    print(json.dumps({"library": "pytorch-reference", "mode": args.train_mode, "net": args.topology,
                      "optimizer": args.optimizer, "batch_size": bs, "threads": torch.get_num_threads(), "torch": torch.__version__,
                      "dtype": str(dtype).replace("torch.", ""), "blas": blas_library(), "steps": args.steps, "repeats": args.repeats,
                      "samples_per_s": round(statistics.median(rates), 1),
                      "min_samples_per_s": round(min(rates), 1), "max_samples_per_s": round(max(rates), 1)}),
          flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    tr = sub.add_parser("train", help="train on MNIST and report test loss/accuracy after each epoch")
    add_common(tr)
    tr.add_argument("--epochs", type=int, default=100)
    tr.add_argument("--test-batch-size", type=int, default=1000)
    tr.add_argument("--train-eval", action="store_true", help="also evaluate the training set after each epoch")
    tr.add_argument("--log", default=None, help="also write the per-epoch JSON lines to this file")
    be = sub.add_parser("bench", help="time the training step (forward, loss, backward, optimizer step)")
    add_common(be)
    be.add_argument("--steps", type=int, default=100, help="training steps per repetition")
    be.add_argument("--repeats", type=int, default=5, help="repetitions; the median rate is reported")
    be.add_argument("--warmup", type=int, default=10, help="untimed steps first")
    args = ap.parse_args(argv)
    (cmd_train if args.cmd == "train" else cmd_bench)(args)


if __name__ == "__main__":
    main()
