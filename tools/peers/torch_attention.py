#!/usr/bin/python3
# torch_attention.py: causal attention in PyTorch, the oracle of our attention op (float64 autograd, safetensors in
# and out) and the peer of `./ladder bench ch06` (float32 forward and forward + backward times, one JSON line).
# PyTorch 1.13 (Debian's) has no scaled_dot_product_attention, so this is the explicit form every model of that
# version writes: scores = q k^T * scale, masked_fill(-inf) above the diagonal, softmax, att @ v.
# Introduced in ch06. Never a build dependency.
#
# usage: torch_attention.py oracle IN.safetensors OUT.safetensors
#        torch_attention.py bench --BH N --T T --hs HS [--threads N --repeats R --warmup K --seed SEED]
#
# Oracle input: q, k, v, dout (BH,T,hs) F32 and the metadata "scale". Output (F32, each rounded once from float64,
# a relative 2^-24): out (BH,T,hs), lse (BH,T) = logsumexp of each row's unmasked scores, and dq, dk, dv, the
# gradients of sum(dout * out).
# Exit codes: 0 ok, 1 bad input (the message names the problem), 2 torch missing or bad command line.
import argparse
import json
import math
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from openblas_core import openblas_core  # noqa: E402
from torch_lm import InputError, check, ensure_openblas, import_torch, read_safetensors, write_safetensors  # noqa: E402


def attention(torch, q, k, v, scale):
    """-> (out, lse): the explicit masked-softmax form over (..., T, hs)."""
    T = q.shape[-2]
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    scores = (q @ k.transpose(-2, -1)) * scale
    scores = scores.masked_fill(~causal, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v, torch.logsumexp(scores, dim=-1)


def oracle(args):
    torch = import_torch()
    tensors, meta = read_safetensors(args.input)
    for name in ("q", "k", "v", "dout"):
        check(name in tensors, f"{args.input}: missing tensor '{name}' (the oracle needs q, k, v, dout)")
        check(tensors[name][0] == "F32", f"{args.input}: {name} is {tensors[name][0]}, not F32")
    shape = tensors["q"][1]
    check(len(shape) == 3 and shape[1] >= 1 and shape[2] >= 1, f"{args.input}: q has shape {shape}; it must be (BH,T,hs)")
    for name in ("k", "v", "dout"):
        check(tensors[name][1] == shape, f"{args.input}: {name} has shape {tensors[name][1]}, q has {shape}")
    check("scale" in meta, f"{args.input}: the metadata has no 'scale'")
    scale = float(meta["scale"])

    def load(name):
        return torch.frombuffer(bytearray(tensors[name][2]), dtype=torch.float32).reshape(shape).to(torch.float64)

    q, k, v = (load(n).requires_grad_(True) for n in ("q", "k", "v"))
    out, lse = attention(torch, q, k, v, scale)
    (out * load("dout")).sum().backward()
    result = [(name, "F32", list(t.shape), t.detach().to(torch.float32).contiguous().numpy().tobytes())
              for name, t in (("out", out), ("lse", lse), ("dq", q.grad), ("dk", k.grad), ("dv", v.grad))]
    write_safetensors(args.output, result, {"computed": "float64", "torch": torch.__version__})


def bench(args):
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)   # read when OpenBLAS loads: before torch
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    torch = import_torch()
    blas_path, blas_ok = ensure_openblas(__file__)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    for key in ("BH", "T", "hs", "repeats", "threads"):
        check(getattr(args, key) >= 1, f"--{key} must be >= 1")
    q, k, v = (torch.randn(args.BH, args.T, args.hs, requires_grad=True) for _ in range(3))
    dout = torch.randn(args.BH, args.T, args.hs)
    scale = 1.0 / math.sqrt(args.hs)
    fwd, both = [], []
    for r in range(args.warmup + args.repeats):
        t0 = time.perf_counter()
        with torch.no_grad():
            attention(torch, q, k, v, scale)
        t1 = time.perf_counter()
        out, _ = attention(torch, q, k, v, scale)
        out.backward(dout)
        t2 = time.perf_counter()
        for t in (q, k, v):
            t.grad = None
        if r >= args.warmup:
            fwd.append(t1 - t0)
            both.append(t2 - t1)
    print(json.dumps({"BH": args.BH, "T": args.T, "hs": args.hs, "threads": args.threads,
                      "forward_ms": statistics.median(fwd) * 1e3, "forward_backward_ms": statistics.median(both) * 1e3,
                      "torch": torch.__version__,
                      "openblas_core": openblas_core() if blas_ok else f"none (reference BLAS {blas_path})"}))


def main():
    ap = argparse.ArgumentParser(prog="torch_attention.py", description=__doc__)
    sub = ap.add_subparsers(dest="mode", required=True)
    o = sub.add_parser("oracle", help="float64 out, lse and gradients of causal attention")
    o.add_argument("input")
    o.add_argument("output")
    b = sub.add_parser("bench", help="time float32 causal attention, forward and forward + backward")
    for name, default in [("BH", 8), ("T", 1024), ("hs", 64), ("threads", 1), ("repeats", 5), ("warmup", 2),
                          ("seed", 1)]:
        b.add_argument("--" + name, type=int, default=default)
    args = ap.parse_args()
    try:
        oracle(args) if args.mode == "oracle" else bench(args)
    except InputError as e:
        print(f"torch_attention.py: error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
