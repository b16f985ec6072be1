#!/usr/bin/python3
"""Lockstep check: our Go core and reference.py, from the same parameters on the same
batches, step by step, on real MNIST at full size.

    lockstep.py --train-mode DFA --seed 1 --epochs 3 [--float32] [--topology FC_500_FC_10]

reference.py draws the parameters (its own seed) and a sample order (one torch.randperm
per epoch, as `reference.py train` does). The Go side (tools/reference/lockstep, built
here with `go build`) loads both and trains with our core. Both sides use the same rule,
optimiser and learning rate, with the reference's defaults otherwise (BCE loss, tanh hidden,
sigmoid output, batch 100). The script prints the largest gradient difference after
the first step, the losses at a few steps, the largest parameter difference at the end
and both test accuracies.

In float64 (the default) the two must agree to rounding: the script fails if any final
parameter differs by more than --tol·max(1, |p|). In float32 it only reports, because
float32 rounding differs between the two and can grow over many steps.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as ref  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train-mode", default="DRTP", choices=ref.MODES)
    ap.add_argument("--topology", default="FC_500_FC_10")
    ap.add_argument("--optimizer", default="NAG", choices=ref.OPTIMIZERS)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epochs", type=float, default=1, help="may be fractional, e.g. 0.1")
    ap.add_argument("--float32", action="store_true", help="float32 on both sides (default float64)")
    ap.add_argument("--tol", type=float, default=1e-9)
    args = ap.parse_args()

    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    torch.set_num_threads(1)
    dtype = torch.float32 if args.float32 else torch.float64
    torch.set_default_dtype(dtype)
    torch.manual_seed(args.seed)
    (xtr, ytr), (xte, yte) = ref.load_mnist(ref.default_mnist_dir(), dtype)
    ttr = F.one_hot(ytr, 10).to(dtype)
    net = ref.Net(args.topology, (1, 28, 28), 10, args.train_mode)
    bs, nsteps = 100, int(args.epochs * len(xtr) / 100)
    gen = torch.Generator().manual_seed(args.seed)
    order = torch.cat([torch.randperm(len(xtr), generator=gen) for _ in range(int(args.epochs) + 1)])[:nsteps * bs]

    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "lockstep")
        subprocess.run(["go", "build", "-o", exe, "./tools/reference/lockstep"], cwd=root, check=True)
        with open(os.path.join(tmp, "in.json"), "w") as f:
            json.dump({"topology": args.topology, "mode": args.train_mode, "optimizer": args.optimizer,
                       "lr": args.lr, "batch": bs, "float64": not args.float32, "order": order.tolist(),
                       "params": {k: v.flatten().double().tolist() for k, v in net.state_dict().items()}}, f)
        subprocess.run([exe, os.path.join(tmp, "in.json"), os.path.join(tmp, "out.json")], cwd=root,
                       check=True, env=dict(os.environ, GOMAXPROCS="1"))
        with open(os.path.join(tmp, "out.json")) as f:
            go = json.load(f)

    opt = ref.make_optimizer(args.optimizer, ref.trainable(net), args.lr)
    losses = []
    for s in range(nsteps):
        idx = order[s * bs:(s + 1) * bs]
        opt.zero_grad()
        loss = ref.forward_backward(net, xtr[idx], ttr[idx], "BCE", "sigmoid")
        if s == 0:
            for name, p in net.named_parameters():
                if p.grad is None:
                    continue
                g = torch.tensor(go["grads0"][name], dtype=torch.float64)
                print(f"step 1 grad {name:22s} max|diff| {(p.grad.double().flatten() - g).abs().max().item():.3g}"
                      f"  (max|grad| {g.abs().max().item():.3g})")
        opt.step()
        losses.append(loss.item())
    for k in sorted({0, 9, 99, nsteps // 2, nsteps - 1}):
        if 0 <= k < nsteps:
            print(f"loss step {k + 1:5d}: go {go['losses'][k]:.12f}  pytorch {losses[k]:.12f}")
    worst = 0.0
    for name, v in net.state_dict().items():
        pv = v.double().flatten()
        gv = torch.tensor(go["final"][name], dtype=torch.float64)
        d = ((gv - pv).abs() / pv.abs().clamp(min=1)).max().item()
        worst = max(worst, d)
        print(f"after {nsteps} steps {name:22s} max|diff|/max(1,|p|) {d:.3g}")
    te_loss, te_acc = ref.evaluate(net, xte, yte, 10, "BCE", 1000)
    print(f"test after {nsteps} steps: go {go['test_accuracy']:.2f}% loss {go['test_loss']:.6f} | "
          f"pytorch {te_acc:.2f}% loss {te_loss:.6f}")
    if not args.float32:
        ok = worst <= args.tol
        print(("OK" if ok else "MISMATCH") + f": largest final parameter difference {worst:.3g} (tolerance {args.tol:g})")
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
