#!/usr/bin/python3
# torch_lm.py: ch05's three language models (neural bigram, Bengio MLP, Elman RNN) in PyTorch: the oracle
# (float64 loss and autograd gradients for our weights, safetensors in and out) and the benchmark peer of
# `./ladder bench ch05` (float32 AdamW training steps, one JSON line). Introduced in ch05. Never a build dependency.
#
# usage: torch_lm.py oracle IN.safetensors OUT.safetensors [--f64]
#        torch_lm.py bench --model mlp|rnn|bigram [--vocab V --embed E --context n --hidden H --batch B --seq T
#                          --threads N --steps S --warmup K --seed SEED --tokens FILE --rnn-impl loop|nn]
#
# The models (the tensor names are those of our safetensors files; tokens (B,W) int):
#   bigram  wte (V,V).                        W=2:   logits = wte[tok[:,0]] (B,V), target tok[:,1]
#   mlp     wte (V,E), fc1.weight (H,n*E), fc1.bias (H), fc2.weight (V,H), fc2.bias (V).
#                                             W=n+1: x = wte[tok[:,:n]].reshape(B,n*E); h = tanh(x fc1^T + b1) (B,H);
#                                                    logits = h fc2^T + b2 (B,V), target tok[:,n]
#   rnn     wte (V,E), rnn.w_xh (H,E), rnn.w_hh (H,H), rnn.b_h (H), head.weight (V,H), head.bias (V), h0 (B,H) opt.
#                                             W=T+1: h_t = tanh(wte[tok[:,t]] w_xh^T + h_{t-1} w_hh^T + b_h),
#                                                    h_{-1} = h0 or 0; logits_t = h_t head^T + head_b, target tok[:,t+1]
#   attention (ch06) wte (V,C), wpe (T,C) when positions = learned, for each layer l h.l.attn.c_attn.weight (3C,C),
#           h.l.attn.c_attn.bias (3C), h.l.attn.c_proj.weight (C,C), h.l.attn.c_proj.bias (C), lm_head.weight (V,C),
#           lm_head.bias (V); the config (metadata) gives heads, layers and positions (learned | sinusoidal | none).
#                                             W=T+1: x = wte[tok[:,:T]] + P; x += c_proj(causal multi-head attention of
#                                                    c_attn(x)) per layer; logits = lm_head(x), target tok[:,1:]
#   loss = the mean cross-entropy over all targets (B, or B*T for the rnn and attention).
#
# Oracle output (OUT): "loss" (1), "grad.<name>" for every parameter, and for the rnn "h_last" (B,H). They are computed
# in float64 from our float32 weights (promoted exactly), and written as F32 by default, because core/safetensors.cpp
# reads only F32 and I32: that rounds each value once to the nearest float32, a relative error of at most 2^-24
# (6e-8), which a comparison must add to its tolerance (far below float32 training arithmetic's own error). The
# metadata "loss_f64" holds the float64 loss as decimal text that reads back as the same double; --f64 writes F64.
#
# Exit codes: 0 ok, 1 bad input (the message names the problem), 2 torch missing or bad command line.
import argparse
import glob
import json
import math
import os
import statistics
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from openblas_core import openblas_core  # noqa: E402

PARAMS = {  # model -> parameter names, in our safetensors order
    "bigram": ["wte"],
    "mlp": ["wte", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"],
    "rnn": ["wte", "rnn.w_xh", "rnn.w_hh", "rnn.b_h", "head.weight", "head.bias"],
}


class InputError(Exception):
    """Bad input: reported on stderr, exit 1."""


def check(cond, message):
    if not cond:
        raise InputError(message)


# ---- safetensors, by hand: u64 LE header length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__"},
# then the data; offsets are relative to the end of the header ----

DTYPES = {"F32": ("<f4", 4), "F64": ("<f8", 8), "I32": ("<i4", 4), "I64": ("<i8", 8)}


def read_safetensors(path):
    """-> ({name: (dtype, shape, bytes)}, metadata). Checks what core/safetensors.cpp checks."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}")
    check(len(data) >= 8, f"{path}: {len(data)} bytes, too short for a safetensors file (8-byte header length)")
    (n,) = struct.unpack_from("<Q", data, 0)
    check(8 + n <= len(data), f"{path}: header length {n} runs past the end of the file ({len(data)} bytes)")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"{path}: the header is not JSON ({e})")
    check(isinstance(header, dict), f"{path}: the header is not a JSON object")
    meta = header.pop("__metadata__", None) or {}
    check(isinstance(meta, dict), f"{path}: __metadata__ is not an object")
    body = data[8 + n:]
    tensors = {}
    for name, e in header.items():
        check(isinstance(e, dict) and {"dtype", "shape", "data_offsets"} <= e.keys(),
              f"{path}: tensor '{name}' lacks dtype, shape or data_offsets")
        check(e["dtype"] in DTYPES, f"{path}: tensor '{name}' has dtype {e['dtype']} (F32, F64, I32, I64 are read)")
        shape = e["shape"]
        check(isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape),
              f"{path}: tensor '{name}' has a bad shape {shape}")
        begin, end = e["data_offsets"]
        size = DTYPES[e["dtype"]][1] * math.prod(shape)
        check(0 <= begin <= end <= len(body) and end - begin == size,
              f"{path}: tensor '{name}' {e['dtype']}{shape} needs {size} bytes, its data_offsets are [{begin}, {end}] "
              f"in {len(body)} bytes of data")
        tensors[name] = (e["dtype"], shape, body[begin:end])
    return tensors, meta


def write_safetensors(path, tensors, metadata):
    """tensors: [(name, dtype, shape, bytes)] in order; metadata: {str: str}. Written to path.tmp, then renamed."""
    header, offset = {"__metadata__": metadata}, 0
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)   # pad so the data starts 8-byte aligned, as the safetensors package does
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for _, _, _, raw in tensors:
            f.write(raw)
    os.replace(path + ".tmp", path)


# ---- torch, and which BLAS it runs ----

def import_torch():
    try:
        import torch
    except ImportError:
        print("torch not found: ./ladder setup installs python3-torch", file=sys.stderr)
        sys.exit(2)
    return torch


def mapped(pattern):
    """Paths of the shared libraries mapped into this process whose file name contains pattern."""
    return sorted({line.split()[-1] for line in open("/proc/self/maps")
                   if "/" in line and pattern in os.path.basename(line.split()[-1])})


def blas_state():
    """-> (libblas path torch's sgemm_ comes from, is it OpenBLAS?). Debian's torch links libblas.so.3, which the
    alternatives system (or LD_LIBRARY_PATH) resolves to OpenBLAS's wrapper or to the reference BLAS (~20x slower)."""
    libs = mapped("libblas.so")
    if not libs:
        return None, False
    path = os.path.realpath(libs[0])
    return path, "openblas" in path


def openblas_dir():
    """OpenBLAS's own libblas.so.3 directory (Debian: .../openblas-pthread), or None."""
    for lib in mapped("libopenblas"):
        d = os.path.dirname(lib)
        if os.path.exists(os.path.join(d, "libblas.so.3")):
            return d
    for d in sorted(glob.glob("/usr/lib/*/openblas-pthread")) + sorted(glob.glob("/usr/lib/*/openblas-openmp")):
        if os.path.exists(os.path.join(d, "libblas.so.3")):
            return d
    return None


def ensure_openblas(script=None):
    """If torch's BLAS is the reference one, start this script again with OpenBLAS's directory first in
    LD_LIBRARY_PATH (only the environment a process starts with can change which libblas.so.3 it loads). Once only;
    if it still is not OpenBLAS, warn. -> (libblas path, OpenBLAS?)."""
    path, ok = blas_state()
    if ok or os.environ.get("LADDER_TORCH_LM_REEXEC"):
        if not ok:
            print(f"torch_lm.py: warning: torch runs the reference BLAS ({path}), not OpenBLAS: its timings are "
                  "several times too slow; install libopenblas0-pthread or put its directory first in LD_LIBRARY_PATH",
                  file=sys.stderr)
        return path, ok
    d = openblas_dir()
    if d is None:
        os.environ["LADDER_TORCH_LM_REEXEC"] = "1"
        return ensure_openblas(script)
    env = dict(os.environ, LADDER_TORCH_LM_REEXEC="1",
               LD_LIBRARY_PATH=d + (":" + os.environ["LD_LIBRARY_PATH"] if os.environ.get("LD_LIBRARY_PATH") else ""))
    print(f"torch_lm.py: torch loaded the reference BLAS ({path}); restarting with {d} first in LD_LIBRARY_PATH",
          file=sys.stderr)
    sys.stdout.flush()
    # `script`: the program to restart (a peer that imports this module passes its own path).
    os.execve(sys.executable, [sys.executable, os.path.abspath(script or __file__)] + sys.argv[1:], env)


# ---- the models, on a dict of parameter tensors (the oracle's float64 leaves, or the bench's float32 ones) ----

def forward(torch, model, p, tokens, h0=None):
    """tokens (B,W) int64 -> (mean loss, h_last (B,H) for the rnn else None)."""
    F = torch.nn.functional
    B, W = tokens.shape
    if model == "bigram":
        logits = p["wte"][tokens[:, 0]]                                   # (B,V)
        return F.cross_entropy(logits, tokens[:, 1]), None
    if model == "mlp":
        n = W - 1
        x = F.embedding(tokens[:, :n], p["wte"]).reshape(B, -1)          # (B,n*E), token 0 of the window first
        h = torch.tanh(F.linear(x, p["fc1.weight"], p["fc1.bias"]))       # (B,H)
        logits = F.linear(h, p["fc2.weight"], p["fc2.bias"])              # (B,V)
        return F.cross_entropy(logits, tokens[:, n]), None
    # rnn, time-major so each step's slice is contiguous. The input projection of all T steps is one matmul,
    # hoisted out of the recurrence (the same arithmetic, fewer and larger gemm calls).
    T, H = W - 1, p["rnn.w_hh"].shape[0]
    x = F.embedding(tokens[:, :T].t(), p["wte"])                          # (T,B,E)
    xh = F.linear(x, p["rnn.w_xh"], p["rnn.b_h"])                         # (T,B,H) = x_t w_xh^T + b_h
    h = h0 if h0 is not None else torch.zeros(B, H, dtype=x.dtype)
    hs = []
    for t in range(T):
        h = torch.tanh(torch.addmm(xh[t], h, p["rnn.w_hh"].t()))          # (B,H)
        hs.append(h)
    logits = F.linear(torch.stack(hs), p["head.weight"], p["head.bias"])  # (T,B,V)
    return F.cross_entropy(logits.reshape(T * B, -1), tokens[:, 1:].t().reshape(-1)), h


# ---- mode 1: the oracle ----

def expected_shapes(model, p_shapes, B, W):
    """The shape each parameter must have, from wte's and the others' leading sizes; checks the window."""
    V = p_shapes["wte"][0]
    if model == "bigram":
        check(W == 2, f"bigram: tokens have a window of {W}, the bigram's is 2")
        return {"wte": [V, V]}
    E = p_shapes["wte"][1] if len(p_shapes["wte"]) == 2 else -1
    if model == "mlp":
        H = p_shapes["fc1.weight"][0]
        n = W - 1
        return {"wte": [V, E], "fc1.weight": [H, n * E], "fc1.bias": [H], "fc2.weight": [V, H], "fc2.bias": [V]}
    H = p_shapes["rnn.w_xh"][0]
    return {"wte": [V, E], "rnn.w_xh": [H, E], "rnn.w_hh": [H, H], "rnn.b_h": [H], "head.weight": [V, H],
            "head.bias": [V], "h0": [B, H]}


def oracle(args):
    torch = import_torch()
    tensors, meta = read_safetensors(args.input)
    config = {}
    if "config" in meta:
        try:
            config = json.loads(meta["config"])
        except json.JSONDecodeError as e:
            raise InputError(f"{args.input}: metadata config is not JSON ({e}): {meta['config']}")
        check(isinstance(config, dict), f"{args.input}: metadata config is not a JSON object: {meta['config']}")
    model, kind = meta.get("model"), config.get("kind")
    if kind == "attention":
        return oracle_attention(args, torch, tensors, config)
    if model not in PARAMS and kind in PARAMS:
        model = kind   # our checkpoints' "model" is the descriptive name(); the config's kind is the short one
    check(model is not None, f"{args.input}: no metadata 'model' (bigram, mlp or rnn)")
    check(model in PARAMS, f"{args.input}: unknown model '{model}' (bigram, mlp or rnn)")
    check(kind in (None, model), f"{args.input}: metadata model '{model}' but config kind "
                                              f"'{config.get('kind')}'")
    names = PARAMS[model]
    allowed = set(names) | {"tokens"} | ({"h0"} if model == "rnn" else set())
    for name in ["tokens"] + names:
        check(name in tensors, f"{args.input}: missing tensor '{name}' ({model} needs {', '.join(['tokens'] + names)})")
    for name in tensors:
        check(name in allowed, f"{args.input}: unexpected tensor '{name}' for model {model} "
                               f"(expected {', '.join(sorted(allowed))})")
    tdtype, tshape, traw = tensors["tokens"]
    check(tdtype in ("I32", "I64") and len(tshape) == 2 and tshape[0] > 0 and tshape[1] >= 2,
          f"{args.input}: tokens must be I32 (B,W) with B >= 1, W >= 2; got {tdtype}{tshape}")
    B, W = tshape
    for name in allowed - {"tokens"}:
        if name in tensors:
            dt, shape, _ = tensors[name]
            check(dt in ("F32", "F64"), f"{args.input}: tensor '{name}' is {dt}, parameters are F32")
            check(len(shape) == (1 if name.endswith("bias") or name == "rnn.b_h" else 2),
                  f"{args.input}: tensor '{name}' has shape {shape}")
    want = expected_shapes(model, {k: tensors[k][1] for k in names}, B, W)
    for name, shape in want.items():
        if name in tensors:
            check(tensors[name][1] == shape, f"{args.input}: tensor '{name}' has shape {tensors[name][1]}, "
                                             f"expected {shape} (from wte {tensors['wte'][1]}, tokens {tshape})")
    V = want["wte"][0]
    dims = {"vocab": V}
    if model != "bigram":
        dims.update(embed=want["wte"][1], hidden=want["fc1.bias" if model == "mlp" else "rnn.b_h"][0])
    if model == "mlp":
        dims["context"] = W - 1
    if model == "rnn":
        dims["seq"] = W - 1
    for key, value in dims.items():
        if key in config:
            check(config[key] == value, f"{args.input}: config {key} = {config[key]} but the tensors say {value}")

    def load(name):
        dt, shape, raw = tensors[name]
        t = torch.frombuffer(bytearray(raw), dtype={"F32": torch.float32, "F64": torch.float64,
                                                    "I32": torch.int32, "I64": torch.int64}[dt])
        return t.reshape(shape)

    tokens = load("tokens").to(torch.int64)
    bad = ((tokens < 0) | (tokens >= V)).flatten().nonzero()
    if len(bad):
        i = int(bad[0])
        raise InputError(f"{args.input}: token ids must lie in [0, {V}); tokens[{i // W}][{i % W}] is "
                         f"{int(tokens.flatten()[i])}")
    p = {name: load(name).to(torch.float64).requires_grad_(True) for name in names}   # float32 -> float64 is exact
    h0 = load("h0").to(torch.float64) if "h0" in tensors else None
    for name, t in list(p.items()) + ([("h0", h0)] if h0 is not None else []):
        check(bool(torch.isfinite(t).all()), f"{args.input}: tensor '{name}' holds a NaN or infinity")
    loss, h_last = forward(torch, model, p, tokens, h0)
    loss.backward()

    dtype = torch.float64 if args.f64 else torch.float32
    name = "F64" if args.f64 else "F32"
    out = [("loss", name, [1], loss.detach().reshape(1).to(dtype).numpy().tobytes())]
    for n_ in names:
        g = p[n_].grad if p[n_].grad is not None else torch.zeros_like(p[n_])
        out.append(("grad." + n_, name, list(g.shape), g.to(dtype).contiguous().numpy().tobytes()))
    if h_last is not None:
        out.append(("h_last", name, list(h_last.shape), h_last.detach().to(dtype).contiguous().numpy().tobytes()))
    write_safetensors(args.output, out, {"model": model, "loss_f64": repr(float(loss)), "computed": "float64",
                                         "torch": torch.__version__})


def attention_params(config):
    names = ["wte"] + (["wpe"] if config["positions"] == "learned" else [])
    for l in range(config["layers"]):
        names += [f"h.{l}.attn.{w}" for w in ("c_attn.weight", "c_attn.bias", "c_proj.weight", "c_proj.bias")]
    return names + ["lm_head.weight", "lm_head.bias"]


def forward_attention(torch, config, p, tokens):
    """ch06's attention LM, the explicit masked-softmax form (torch 1.13 has no scaled_dot_product_attention)."""
    F = torch.nn.functional
    B, W = tokens.shape
    T, (V, C), NH = W - 1, p["wte"].shape, config["heads"]
    hs = C // NH
    x = F.embedding(tokens[:, :T], p["wte"])                                  # (B,T,C)
    if config["positions"] == "learned":
        x = x + p["wpe"][:T]
    elif config["positions"] == "sinusoidal":
        t = torch.arange(T, dtype=torch.float64)[:, None]
        freq = 10000.0 ** (-torch.arange(0, C, 2, dtype=torch.float64) / C)   # (C/2)
        table = torch.zeros(T, C, dtype=torch.float64)
        table[:, 0::2], table[:, 1::2] = torch.sin(t * freq), torch.cos(t * freq)
        x = x + table.to(x.dtype)
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for l in range(config["layers"]):
        qkv = F.linear(x, p[f"h.{l}.attn.c_attn.weight"], p[f"h.{l}.attn.c_attn.bias"])   # (B,T,3C)
        q, k, v = (z.reshape(B, T, NH, hs).transpose(1, 2) for z in qkv.split(C, dim=2))   # (B,NH,T,hs)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)                                     # (B,NH,T,T)
        att = torch.softmax(att.masked_fill(~causal, float("-inf")), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + F.linear(y, p[f"h.{l}.attn.c_proj.weight"], p[f"h.{l}.attn.c_proj.bias"])
    logits = F.linear(x, p["lm_head.weight"], p["lm_head.bias"])              # (B,T,V)
    return F.cross_entropy(logits.reshape(B * T, V), tokens[:, 1:].reshape(-1))


def oracle_attention(args, torch, tensors, config):
    for key in ("heads", "layers", "positions", "vocab", "embed"):
        check(key in config, f"{args.input}: the attention config has no '{key}': {config}")
    names = attention_params(config)
    for name in ["tokens"] + names:
        check(name in tensors, f"{args.input}: missing tensor '{name}' (attention needs {', '.join(['tokens'] + names)})")
    for name in tensors:
        check(name in set(names) | {"tokens"}, f"{args.input}: unexpected tensor '{name}' for this attention config")
    V, C = config["vocab"], config["embed"]
    check(tensors["wte"][1] == [V, C], f"{args.input}: wte has shape {tensors['wte'][1]}, the config says [{V}, {C}]")
    check(C % config["heads"] == 0, f"{args.input}: {config['heads']} heads do not divide the width C = {C}")

    def load(name):
        dt, shape, raw = tensors[name]
        t = torch.frombuffer(bytearray(raw), dtype={"F32": torch.float32, "F64": torch.float64,
                                                    "I32": torch.int32, "I64": torch.int64}[dt])
        return t.reshape(shape)

    tokens = load("tokens").to(torch.int64)
    check(bool(((tokens >= 0) & (tokens < V)).all()), f"{args.input}: token ids must lie in [0, {V})")
    p = {name: load(name).to(torch.float64).requires_grad_(True) for name in names}
    loss = forward_attention(torch, config, p, tokens)
    loss.backward()
    dtype, tag = (torch.float64, "F64") if args.f64 else (torch.float32, "F32")
    out = [("loss", tag, [1], loss.detach().reshape(1).to(dtype).numpy().tobytes())]
    for n_ in names:
        g = p[n_].grad if p[n_].grad is not None else torch.zeros_like(p[n_])
        out.append(("grad." + n_, tag, list(g.shape), g.to(dtype).contiguous().numpy().tobytes()))
    write_safetensors(args.output, out, {"model": "attention", "loss_f64": repr(float(loss)), "computed": "float64",
                                         "torch": torch.__version__})


# ---- mode 2: the benchmark peer ----

def read_token_file(path):
    """Our token file (core/nn/token_file.hpp) -> (vocab, int64 tensor of ids)."""
    import numpy as np   # torch has no uint16 tensors; numpy comes with python3-torch
    torch = import_torch()
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}")
    check(len(data) >= 32 and data[:8] == b"LDRTOKEN", f"{path}: not a token file (no LDRTOKEN magic)")
    version, width, vocab, _, count = struct.unpack_from("<IIIIQ", data, 8)
    check(version == 1, f"{path}: token file version {version}, only 1 is read")
    check(width in (2, 4), f"{path}: id width {width}, must be 2 or 4")
    check(len(data) == 32 + count * width, f"{path}: expected {32 + count * width} bytes, found {len(data)}")
    ids = np.frombuffer(data, dtype="<u2" if width == 2 else "<u4", offset=32).astype(np.int64)
    check(count == 0 or int(ids.max()) < vocab, f"{path}: an id >= vocab {vocab}")
    return vocab, torch.from_numpy(ids)


def bench(args):
    # OpenBLAS reads its thread count when it loads, and libgomp its wait policy: set both before torch loads.
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")   # TOOLCHAIN.md: spin-waiting made 2 threads slower than 1
    torch = import_torch()
    blas_path, blas_ok = ensure_openblas()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    F = torch.nn.functional

    ids = None
    if args.tokens:
        vocab, ids = read_token_file(args.tokens)
        check(args.vocab in (None, vocab), f"{args.tokens} has vocab {vocab}, --vocab is {args.vocab}")
        args.vocab = vocab
    V = args.vocab or 4096
    E, H, B = args.embed, args.hidden, args.batch
    W = {"bigram": 2, "mlp": args.context + 1, "rnn": args.seq + 1}[args.model]
    for key in ("embed", "hidden", "batch", "seq", "context", "threads", "steps"):
        check(getattr(args, key) >= 1, f"--{key} must be >= 1")

    # PyTorch's default initialisation (nn.Embedding: N(0,1); nn.Linear: U(+-1/sqrt(fan_in))); the bigram's table
    # starts near zero. The values do not change the time of a step.
    def uniform(shape, fan_in):
        return (torch.rand(shape) * 2 - 1) / math.sqrt(fan_in)
    if args.model == "bigram":
        p = {"wte": torch.randn(V, V) * 0.01}
    elif args.model == "mlp":
        n = args.context
        p = {"wte": torch.randn(V, E), "fc1.weight": uniform((H, n * E), n * E), "fc1.bias": uniform((H,), n * E),
             "fc2.weight": uniform((V, H), H), "fc2.bias": uniform((V,), H)}
    else:
        p = {"wte": torch.randn(V, E), "rnn.w_xh": uniform((H, E), H), "rnn.w_hh": uniform((H, H), H),
             "rnn.b_h": uniform((H,), H), "head.weight": uniform((V, H), H), "head.bias": uniform((V,), H)}
    for t in p.values():
        t.requires_grad_(True)
    params = list(p.values())

    rnn_nn = None
    if args.model == "rnn" and args.rnn_impl == "nn":
        # torch.nn.RNN has two biases (b_ih, b_hh); b_hh is frozen at zero, so it is our model with b_h = b_ih.
        # Measured against the loop below, steps interleaved in one process (V 4096, E 64, H 512, B 32, T 32, one
        # thread): the same CPU time per step within 3%, so the default is the loop, our model written out.
        rnn_nn = torch.nn.RNN(E, H, nonlinearity="tanh", bias=True)
        with torch.no_grad():
            rnn_nn.weight_ih_l0.copy_(p["rnn.w_xh"])
            rnn_nn.weight_hh_l0.copy_(p["rnn.w_hh"])
            rnn_nn.bias_ih_l0.copy_(p["rnn.b_h"])
            rnn_nn.bias_hh_l0.zero_()
        rnn_nn.bias_hh_l0.requires_grad_(False)
        params = [p["wte"], rnn_nn.weight_ih_l0, rnn_nn.weight_hh_l0, rnn_nn.bias_ih_l0, p["head.weight"],
                  p["head.bias"]]

    # torch 1.13's default AdamW on CPU (a loop over the tensors); foreach=True measured the same here.
    opt = torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                            foreach=True if args.foreach else None)

    # The batches, drawn before timing (as our loader's windows are cheap next to a step). Rows of an rnn batch
    # are streams of consecutive windows with the hidden state carried over (truncated BPTT), as in our trainer.
    total = args.warmup + args.steps
    if ids is None:
        batches = [torch.randint(0, V, (B, W)) for _ in range(total)]
    elif args.model == "rnn":
        L = len(ids) // B
        check(L >= W + 1, f"{args.tokens}: {len(ids)} tokens make {B} streams of {L}, fewer than a window of {W}")
        starts = torch.arange(B) * L
        batches = []
        for s in range(total):
            pos = (s * (W - 1)) % (L - W + 1)
            batches.append(ids[(starts + pos)[:, None] + torch.arange(W)[None, :]])
    else:
        check(len(ids) >= W, f"{args.tokens}: {len(ids)} tokens, fewer than a window of {W}")
        batches = [ids[torch.randint(0, len(ids) - W + 1, (B,))[:, None] + torch.arange(W)[None, :]]
                   for _ in range(total)]

    h = torch.zeros(B, H)
    times, cpu_times = [], []
    for s, tokens in enumerate(batches):
        t0, c0 = time.perf_counter(), time.process_time()
        if rnn_nn is not None:
            T = W - 1
            x = F.embedding(tokens[:, :T].t(), p["wte"])                            # (T,B,E)
            hs, h_n = rnn_nn(x, h[None])                                           # (T,B,H), (1,B,H)
            logits = F.linear(hs, p["head.weight"], p["head.bias"])                # (T,B,V)
            loss = F.cross_entropy(logits.reshape(T * B, V), tokens[:, 1:].t().reshape(-1))
            h_last = h_n[0]
        else:
            loss, h_last = forward(torch, args.model, p, tokens, h if args.model == "rnn" else None)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)   # the faster zero_grad: the next backward writes instead of adding
        if h_last is not None:
            h = h_last.detach()
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        if s >= args.warmup:
            times.append(dt)
            cpu_times.append(dc)
        check(math.isfinite(float(loss)), f"loss became {float(loss)} at step {s}")

    step_ms = statistics.median(times) * 1e3
    tokens_per_step = B * (W - 1) if args.model == "rnn" else B
    print(json.dumps({
        "model": args.model, "threads": args.threads, "batch": B, "tokens_per_step": tokens_per_step,
        "step_ms": step_ms, "step_ms_min": min(times) * 1e3, "tokens_per_s": tokens_per_step / (step_ms / 1e3),
        "step_cpu_ms": statistics.median(cpu_times) * 1e3,  # all threads; << step_ms * threads: a loaded machine
        "vocab": V, "embed": E, "hidden": H, "context": args.context, "seq": args.seq, "steps": args.steps,
        "rnn_impl": args.rnn_impl if args.model == "rnn" else None, "final_loss": float(loss),
        "torch": torch.__version__,
        "openblas_core": openblas_core() if blas_ok else f"none (reference BLAS {blas_path})",
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY")}))


def main():
    ap = argparse.ArgumentParser(prog="torch_lm.py", description=__doc__)
    sub = ap.add_subparsers(dest="mode", required=True)
    o = sub.add_parser("oracle", help="float64 loss and gradients of our weights")
    o.add_argument("input")
    o.add_argument("output")
    o.add_argument("--f64", action="store_true", help="write F64 tensors (our reader takes F32)")
    b = sub.add_parser("bench", help="time float32 AdamW training steps")
    b.add_argument("--model", choices=sorted(PARAMS), required=True)
    b.add_argument("--vocab", type=int, default=None, help="V (default 4096, or the token file's)")
    for name, default in [("embed", 64), ("context", 8), ("hidden", 512), ("batch", 512), ("seq", 32),
                          ("threads", 1), ("steps", 20), ("warmup", 3), ("seed", 1)]:
        b.add_argument("--" + name, type=int, default=default)
    b.add_argument("--tokens", default=None, help="a token file (LDRTOKEN) to draw windows from")
    b.add_argument("--rnn-impl", choices=["loop", "nn"], default="loop",
                   help="rnn: our recurrence written out (default) or torch.nn.RNN")
    b.add_argument("--foreach", action="store_true", help="AdamW's multi-tensor (foreach) implementation")
    args = ap.parse_args()
    try:
        oracle(args) if args.mode == "oracle" else bench(args)
    except InputError as e:
        print(f"torch_lm.py: error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
