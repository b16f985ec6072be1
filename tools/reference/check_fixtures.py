#!/usr/bin/python3
"""Check reference.py against the golden fixtures produced by the reference code.

For every case in the fixture folder (default ../../core/train/testdata/reference, or
$REFERENCE_FIXTURES, or the first argument) it loads the case's initial parameters into
reference.Net, in float64, and compares with the recorded values, each to within
1e-8 * max(1, |expected|):
  - the output on batch 0 (training mode), the loss, every parameter's gradient
    (null in the fixture <=> no gradient here: feedback matrices, frozen layers);
  - for SGD, NAG, Adam and RMSprop: one step on batch 0 then one on batch 1 from the
    initial parameters: both losses, every parameter afterwards, and the output on
    batch 0 in evaluation mode.
Prints one line per case and exits non-zero if any fails.
"""
import glob
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as ref  # noqa: E402

TOL = 1e-8


def compare(where, got, want, errors):
    """Appends a message to errors for every element out of tolerance."""
    if want is None or got is None:
        if (want is None) != (got is None):
            errors.append(f"{where}: expected {'none' if want is None else 'a value'}, got "
                          f"{'none' if got is None else 'a value'}")
        return
    want = torch.tensor(want, dtype=torch.float64)
    got = got.detach().to(torch.float64)
    if got.shape != want.shape:
        errors.append(f"{where}: shape {tuple(got.shape)}, expected {tuple(want.shape)}")
        return
    diff = (got - want).abs()
    bound = TOL * want.abs().clamp(min=1)
    bad = diff > bound
    if bad.any():
        i = int(bad.flatten().nonzero()[0])
        errors.append(f"{where}: {int(bad.sum())} element(s) off, e.g. [{i}] got {got.flatten()[i].item():.12g}, "
                      f"expected {want.flatten()[i].item():.12g}")


def build(case):
    torch.manual_seed(0)  # irrelevant: every parameter is overwritten from the fixture
    net = ref.Net(case["topology"], (case["input_channels"], case["input_size"], case["input_size"]),
                  case["labels"], case["mode"], case["hidden_act"], case["conv_act"], case["output_act"],
                  dropout=0.0, fc_zero_init=False, freeze_conv=case["freeze_conv"])
    state = net.state_dict()
    names = set(state)
    if names != set(case["init"]):
        raise ValueError(f"parameter names differ: ours only {sorted(names - set(case['init']))}, "
                         f"fixture only {sorted(set(case['init']) - names)}")
    net.load_state_dict({k: torch.tensor(v, dtype=torch.float64) for k, v in case["init"].items()})
    return net


def named_tensors(net):
    """Parameters and buffers (feedback matrices) by their fixture names."""
    out = dict(net.named_parameters())
    out.update(dict(net.named_buffers()))
    return out


def check_case(case):
    errors = []
    x = [torch.tensor(b, dtype=torch.float64) for b in case["x"]]
    t = [torch.tensor(b, dtype=torch.float64) for b in case["targets"]]
    loss_name, out_act = case["loss"], case["output_act"]

    net = build(case)
    net.train()
    out = net(x[0])
    compare("output", out, case["output"], errors)
    net.zero_grad(set_to_none=True)
    loss = ref.forward_backward(net, x[0], t[0], loss_name, out_act)
    compare("loss_value", loss, case["loss_value"], errors)
    tensors = named_tensors(net)
    for name, want in case["grads"].items():
        compare(f"grads[{name}]", tensors[name].grad, want, errors)

    for opt_name, rec in case["after_two_steps"].items():
        net = build(case)
        net.train()
        opt = ref.make_optimizer(opt_name, ref.trainable(net), case["lr"])
        losses = [ref.train_step(net, opt, x[i], t[i], loss_name, out_act) for i in (0, 1)]
        compare(f"{opt_name}.losses", torch.stack([l.detach() for l in losses]), rec["losses"], errors)
        tensors = named_tensors(net)
        for name, want in rec["params"].items():
            compare(f"{opt_name}.params[{name}]", tensors[name], want, errors)
        net.eval()
        with torch.no_grad():
            compare(f"{opt_name}.eval_output_on_x0", net(x[0]), rec["eval_output_on_x0"], errors)
    return errors


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    folder = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get("REFERENCE_FIXTURES")
              or os.path.join(here, "..", "..", "core", "train", "testdata", "reference"))
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    files = sorted(glob.glob(os.path.join(folder, "*.json")))
    if not files:
        sys.exit(f"check_fixtures.py: no *.json in {folder}")
    passed = 0
    for f in files:
        with open(f) as fh:
            case = json.load(fh)
        try:
            errors = check_case(case)
        except Exception as e:  # a crash is a failure of that case, not of the run
            errors = [f"{type(e).__name__}: {e}"]
        name = case.get("name", os.path.basename(f))
        if errors:
            print(f"FAIL {name} ({case['topology']}, {case['mode']}, {case['loss']}): {len(errors)} mismatch(es)")
            for e in errors[:8]:
                print(f"     {e}")
        else:
            passed += 1
            print(f"ok   {name}")
    print(f"\n{passed}/{len(files)} fixture cases pass (tolerance {TOL:g} * max(1, |expected|), float64)")
    sys.exit(0 if passed == len(files) else 1)


if __name__ == "__main__":
    main()
