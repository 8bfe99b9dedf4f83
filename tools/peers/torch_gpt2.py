#!/usr/bin/python3
"""torch_gpt2.py: chapter 7's GPT-2 written from the paper in PyTorch, for the tests and the benchmark.

The oracle of our model (chapters/ch07_gpt/gpt2.hpp): for our float32 weights it computes, in float64 (each weight
promoted exactly), the logits, the loss, every gradient by autograd, and the losses of a few AdamW steps; safetensors
in and out. It is also the benchmark peer of `./ladder bench ch07` (float32 eager training steps, one JSON line).
Introduced in ch07. Never a build dependency: the tests skip without torch (Debian's python3-torch, 1.13, which has
no scaled_dot_product_attention: the attention below is the explicit masked softmax).

usage: torch_gpt2.py oracle IN.safetensors OUT.safetensors
       torch_gpt2.py train IN.safetensors OUT.safetensors
       torch_gpt2.py selftest
       torch_gpt2.py bench [--vocab V --context T --layers L --heads NH --embed C --B B --T Tc --threads N
                            --repeats R --warmup K]
tests/chapters/ch07_torch_test.cpp runs `/usr/bin/python3 tools/peers/torch_gpt2.py oracle in.safetensors
out.safetensors` (and `train`) on a tiny model's weights and compares.

The model (our tensor names and layouts; every linear weight is (out, in), torch.nn.Linear's, y = x W^T + b):
  x_0     = wte.weight[inputs] + wpe.weight[t]                          (B,Tc,C), t = 0 .. Tc-1
  m       = x + attn.c_proj(attention(split(attn.c_attn(ln_1(x)))))    per block h.{l}.
  x'      = m + mlp.c_proj(gelu(mlp.c_fc(ln_2(m))))                     the MLP is 4C wide
  logits  = ln_f(x_L) wte.weight^T                                      (B*Tc,V): tied to wte, no bias
  loss    = the mean cross-entropy over all B*Tc targets
  c_attn's 3C outputs are q, k, v in that order, each NH contiguous blocks of hs = C/NH (head 0 first); attention is
  causal, softmax(q k^T / sqrt(hs)) v per head. layernorm: (x - mean) / sqrt(var + 1e-5) * weight + bias, var biased
  (divided by C). gelu: the tanh approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
The config is the metadata "config", our Gpt2Config JSON ({"kind":"gpt2","vocab":V,"context":T,"layers":L,
"heads":NH,"embed":C,"fused":..,"layernorm":..,"mlp":..,"residual":..}). The ablation switches: layernorm false,
every ln is the identity and its tensors are absent; mlp false, no MLP sublayer (nor ln_2, mlp.* tensors); residual
false, x' = f(x) for both sublayers (no x added). "fused" selects our kernel only: the mathematics is the same.

IN: the parameters (F32), "inputs" and "targets" (I32, (B,Tc), Tc <= context); train also reads the metadata
"steps", "lr", "beta1", "beta2", "eps", "weight_decay" (decimal strings). OUT, F32 (core/safetensors.cpp reads F32 and
I32), each value rounded once from float64 (relative error <= 2^-24, which a comparison adds to its tolerance):
  oracle: "logits" (B*Tc,V), "loss" (1), "grad.<name>" for every parameter; metadata "loss_f64" (exact decimal).
  train:  "losses" (steps+1): the loss before each step and after the last, and "param.<name>", the final parameters;
          metadata "losses_f64" (JSON). Each step: the same batch, the float64 loss and autograd gradient, then
          torch.optim.AdamW (decoupled decay p -= lr wd p on the 2-D weights only: wte, wpe and each block's four
          linear weights, not biases or layernorm parameters; then the bias-corrected Adam update), constant lr,
          no clipping.
  selftest: checks this file against itself and torch (finite differences, torch's own gelu and layer_norm, the
          tied gradient, the causal mask, AdamW by hand); PASS/FAIL lines, exit 1 on a failure.
Exit codes: 0 ok, 1 bad input (the message names the problem) or a selftest failure, 2 torch missing or bad command
line.
"""
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

LINEARS = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")
LN_EPS = 1e-5


def param_shapes(cfg):
    """{name: shape} of a config, in the order of chapters/ch07_gpt/gpt2_config.cpp's gpt2_param_specs."""
    V, T, C = cfg["vocab"], cfg["context"], cfg["embed"]
    s = {"wte.weight": [V, C], "wpe.weight": [T, C]}
    for l in range(cfg["layers"]):
        h = f"h.{l}."
        if cfg["layernorm"]:
            s.update({h + "ln_1.weight": [C], h + "ln_1.bias": [C]})
        s.update({h + "attn.c_attn.weight": [3 * C, C], h + "attn.c_attn.bias": [3 * C],
                  h + "attn.c_proj.weight": [C, C], h + "attn.c_proj.bias": [C]})
        if cfg["mlp"]:
            if cfg["layernorm"]:
                s.update({h + "ln_2.weight": [C], h + "ln_2.bias": [C]})
            s.update({h + "mlp.c_fc.weight": [4 * C, C], h + "mlp.c_fc.bias": [4 * C],
                      h + "mlp.c_proj.weight": [C, 4 * C], h + "mlp.c_proj.bias": [C]})
    if cfg["layernorm"]:
        s.update({"ln_f.weight": [C], "ln_f.bias": [C]})
    return s


def decays(name):
    """GPT-2's recipe: weight decay on the 2-D weights (embeddings and linear weights), not on biases or gains."""
    return name in ("wte.weight", "wpe.weight") or name.endswith(LINEARS)


# ---- the pieces, one function each (read them beside chapters/ch07_gpt/gpt2.cpp's block_forward) ----

def layernorm(torch, x, weight, bias):
    """Over the last axis: (x - mean) / sqrt(var + eps) * weight + bias, the variance biased (as GPT-2's and
    torch.nn.LayerNorm's)."""
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + LN_EPS) * weight + bias


def gelu(torch, x):
    """GPT-2's GELU, the tanh approximation (not the erf form torch.nn.GELU() defaults to)."""
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def linear(x, p, name):
    """x W^T + b with W (out, in), our layout and torch.nn.Linear's (Hugging Face's Conv1D stores W^T)."""
    return x @ p[name + ".weight"].T + p[name + ".bias"]


def attention(torch, qkv, NH):
    """Causal multi-head attention. qkv (B,T,3C): q, k, v along the last axis, each NH contiguous hs-blocks
    -> (B,T,C), the heads merged back in the same order."""
    B, T, C3 = qkv.shape
    C = C3 // 3
    hs = C // NH
    q, k, v = (z.reshape(B, T, NH, hs).transpose(1, 2) for z in qkv.split(C, dim=-1))   # (B,NH,T,hs) each
    scores = q @ k.transpose(-1, -2) / math.sqrt(hs)                                    # (B,NH,T,T)
    future = torch.ones(T, T, dtype=torch.bool).triu(1)                                 # key s > query t
    att = scores.masked_fill(future, float("-inf")).softmax(-1)
    return (att @ v).transpose(1, 2).reshape(B, T, C)


def block(torch, cfg, p, l, x):
    """One pre-layernorm block: m = x + attention sublayer, x' = m + MLP sublayer (the ablations drop parts)."""
    h = f"h.{l}."

    def ln(y, which):
        return layernorm(torch, y, p[h + which + ".weight"], p[h + which + ".bias"]) if cfg["layernorm"] else y

    a = linear(attention(torch, linear(ln(x, "ln_1"), p, h + "attn.c_attn"), cfg["heads"]), p, h + "attn.c_proj")
    m = x + a if cfg["residual"] else a
    if not cfg["mlp"]:
        return m
    f = linear(gelu(torch, linear(ln(m, "ln_2"), p, h + "mlp.c_fc")), p, h + "mlp.c_proj")
    return m + f if cfg["residual"] else f


def gpt2_forward(torch, cfg, p, inputs, head=None):
    """inputs (B,Tc) int64 -> logits (B*Tc, V). The output layer is wte (tied) unless `head` (V,C) is given (the
    selftest's untied copy)."""
    B, T = inputs.shape
    x = p["wte.weight"][inputs] + p["wpe.weight"][:T]                                   # (B,T,C)
    for l in range(cfg["layers"]):
        x = block(torch, cfg, p, l, x)
    if cfg["layernorm"]:
        x = layernorm(torch, x, p["ln_f.weight"], p["ln_f.bias"])
    return (x @ (p["wte.weight"] if head is None else head).T).reshape(B * T, -1)


def loss_of(torch, cfg, p, inputs, targets, head=None):
    """-> (logits (B*Tc,V), the mean cross-entropy over all B*Tc targets)."""
    logits = gpt2_forward(torch, cfg, p, inputs, head)
    return logits, torch.nn.functional.cross_entropy(logits, targets.reshape(-1))


def adamw_train(torch, cfg, p, inputs, targets, steps, lr, betas, eps, wd):
    """`steps` AdamW steps on one batch, in p's precision, updating p in place -> the steps + 1 losses (before each
    step, and after the last). Two parameter groups: decay on the 2-D weights, none on the rest."""
    groups = [{"params": [t for n, t in p.items() if decays(n)], "weight_decay": wd},
              {"params": [t for n, t in p.items() if not decays(n)], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=lr, betas=betas, eps=eps)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        _, loss = loss_of(torch, cfg, p, inputs, targets)
        losses.append(float(loss))
        loss.backward()
        opt.step()
    with torch.no_grad():
        losses.append(float(loss_of(torch, cfg, p, inputs, targets)[1]))
    return losses


# ---- reading our file ----

def read_input(torch, path):
    """-> (config, {name: float64 leaf}, inputs, targets (B,Tc) int64, metadata). Checks names, shapes, values."""
    tensors, meta = read_safetensors(path)
    check("config" in meta, f"{path}: no metadata 'config' (our Gpt2Config JSON)")
    try:
        cfg = json.loads(meta["config"])
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: metadata config is not JSON ({e}): {meta['config']}")
    check(isinstance(cfg, dict) and cfg.get("kind") == "gpt2",
          f"{path}: config kind {cfg.get('kind') if isinstance(cfg, dict) else None!r} is not gpt2")
    for key, default in (("layernorm", True), ("mlp", True), ("residual", True)):
        cfg.setdefault(key, default)
    for key in ("vocab", "context", "layers", "heads", "embed"):
        check(isinstance(cfg.get(key), int) and cfg[key] > 0, f"{path}: config {key} must be a positive integer")
    check(cfg["embed"] % cfg["heads"] == 0, f"{path}: {cfg['heads']} heads do not divide the width C = {cfg['embed']}")
    shapes = param_shapes(cfg)
    for name in list(shapes) + ["inputs", "targets"]:
        check(name in tensors, f"{path}: missing tensor '{name}'")
    extra = sorted(set(tensors) - set(shapes) - {"inputs", "targets"})
    check(not extra, f"{path}: unexpected tensors {', '.join(extra)} for the config {meta['config']}")
    for name, shape in shapes.items():
        check(tensors[name][1] == shape,
              f"{path}: tensor '{name}' has shape {tensors[name][1]}, the config says {shape}")

    def load(name, want, dtype):
        dt, shape, raw = tensors[name]
        check(dt == want, f"{path}: tensor '{name}' is {dt}, expected {want}")
        t = torch.frombuffer(bytearray(raw), dtype={"F32": torch.float32, "I32": torch.int32}[dt])
        return t.reshape(shape).to(dtype)

    p = {n: load(n, "F32", torch.float64) for n in shapes}   # float32 -> float64 is exact
    for n, t in p.items():
        check(bool(torch.isfinite(t).all()), f"{path}: tensor '{n}' holds a NaN or infinity")
    inputs, targets = load("inputs", "I32", torch.int64), load("targets", "I32", torch.int64)
    check(inputs.dim() == 2 and inputs.shape == targets.shape and inputs.numel() > 0,
          f"{path}: inputs {list(inputs.shape)} and targets {list(targets.shape)} must both be (B,Tc), B, Tc >= 1")
    check(inputs.shape[1] <= cfg["context"], f"{path}: {inputs.shape[1]} positions exceed the context {cfg['context']}")
    for what, t in (("inputs", inputs), ("targets", targets)):
        check(bool(((t >= 0) & (t < cfg["vocab"])).all()), f"{path}: {what} must lie in [0, {cfg['vocab']})")
    return cfg, p, inputs, targets, meta


def f32(torch, t):
    return t.detach().to(torch.float32).contiguous().numpy().tobytes()


# ---- mode 1: the oracle ----

def oracle(args):
    torch = import_torch()
    cfg, p, inputs, targets, _ = read_input(torch, args.input)
    for t in p.values():
        t.requires_grad_(True)
    logits, loss = loss_of(torch, cfg, p, inputs, targets)
    loss.backward()
    out = [("logits", "F32", list(logits.shape), f32(torch, logits)), ("loss", "F32", [1], f32(torch, loss.reshape(1)))]
    out += [("grad." + n, "F32", list(t.shape), f32(torch, t.grad)) for n, t in p.items()]
    write_safetensors(args.output, out, {"loss_f64": repr(float(loss)), "computed": "float64",
                                         "torch": torch.__version__})


# ---- mode 2: AdamW steps ----

def train(args):
    torch = import_torch()
    cfg, p, inputs, targets, meta = read_input(torch, args.input)
    try:
        steps, lr = int(meta["steps"]), float(meta["lr"])
        b1, b2, eps, wd = (float(meta[k]) for k in ("beta1", "beta2", "eps", "weight_decay"))
    except (KeyError, ValueError) as e:
        raise InputError(f"{args.input}: train needs metadata steps, lr, beta1, beta2, eps, weight_decay ({e})")
    check(steps >= 0, f"{args.input}: steps must be >= 0, got {steps}")
    for t in p.values():
        t.requires_grad_(True)
    losses = adamw_train(torch, cfg, p, inputs, targets, steps, lr, (b1, b2), eps, wd)
    out = [("losses", "F32", [len(losses)], f32(torch, torch.tensor(losses, dtype=torch.float64)))]
    out += [("param." + n, "F32", list(t.shape), f32(torch, t)) for n, t in p.items()]
    write_safetensors(args.output, out, {"losses_f64": json.dumps(losses), "computed": "float64",
                                         "torch": torch.__version__})


# ---- mode 3: the selftest ----

def random_model(torch, cfg, seed, std=0.5):
    """Float64 weights N(0, std), layernorm gains around 1 (as the C++ tests' unit_scale_weights)."""
    g = torch.Generator().manual_seed(seed)
    p = {}
    for n, s in param_shapes(cfg).items():
        t = torch.randn(s, generator=g, dtype=torch.float64) * std
        p[n] = t + 1 if ".ln_" in "." + n and n.endswith(".weight") else t
    return p


def selftest(args):
    torch = import_torch()
    F = torch.nn.functional
    failures = []

    def report(ok, what):
        print(("PASS " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    base = {"kind": "gpt2", "vocab": 11, "context": 5, "layers": 2, "heads": 2, "embed": 8, "fused": False,
            "layernorm": True, "mlp": True, "residual": True}
    gen = torch.Generator().manual_seed(3)

    # (a) autograd against central differences, a few entries of every parameter, GPT-2 and each ablation, a
    # window shorter than the context. The five-point central difference (f(-2h) - 8 f(-h) + 8 f(h) - f(2h)) / 12h
    # in float64 with h = 1e-4: its truncation error is h^4 |f^(5)| / 30 ~ 1e-17 and its rounding about
    # 3 eps |f| / (2h) ~ 1e-11 (f = the loss, ~3), so 1e-8 relative to the tensor's largest gradient has room
    # (its gradients are ~1e-2 .. 1) and still catches a wrong term.
    variants = [("gpt2", {}), ("no layernorm", {"layernorm": False}), ("no mlp", {"mlp": False}),
                ("no residual", {"residual": False}), ("no layernorm, no mlp", {"layernorm": False, "mlp": False})]
    for label, change in variants:
        cfg = dict(base, **change)
        p = random_model(torch, cfg, seed=1)
        inputs = torch.randint(cfg["vocab"], (2, 4), generator=gen)
        targets = torch.randint(cfg["vocab"], (2, 4), generator=gen)
        for t in p.values():
            t.requires_grad_(True)
        loss_of(torch, cfg, p, inputs, targets)[1].backward()
        worst, h = 0.0, 1e-4
        with torch.no_grad():
            for n, t in p.items():
                scale = float(t.grad.abs().max())
                flat = t.view(-1)
                for i in torch.randint(flat.numel(), (4,), generator=gen).tolist():
                    old, f = float(flat[i]), []
                    for k in (-2, -1, 1, 2):
                        flat[i] = old + k * h
                        f.append(float(loss_of(torch, cfg, p, inputs, targets)[1]))
                    flat[i] = old
                    slope = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * h)
                    worst = max(worst, abs(slope - float(t.grad.view(-1)[i])) / max(scale, 1e-300))
                if scale == 0:
                    worst = max(worst, 1.0)   # every parameter must take part
        report(worst < 1e-8, f"gradients vs central differences ({label}, {len(p)} tensors): worst {worst:.1e} "
                             f"of the tensor's largest gradient (< 1e-8)")

    # (b) the pieces against torch's own: gelu(approximate='tanh') (torch >= 1.12) and layer_norm, values and
    # gradients. Float64 both: a few ulps apart.
    x = torch.randn(64, 16, generator=gen, dtype=torch.float64) * 3
    w, b = torch.randn(16, generator=gen, dtype=torch.float64) + 1, torch.randn(16, generator=gen, dtype=torch.float64)
    dy = torch.randn(64, 16, generator=gen, dtype=torch.float64)
    pairs = [("gelu", lambda x_, w_, b_: gelu(torch, x_), lambda x_, w_, b_: F.gelu(x_, approximate="tanh")),
             ("layernorm", lambda x_, w_, b_: layernorm(torch, x_, w_, b_),
              lambda x_, w_, b_: F.layer_norm(x_, (16,), w_, b_, eps=LN_EPS))]
    for label, ours, theirs in pairs:
        results = []
        for fn in (ours, theirs):
            xs, ws, bs = (z.clone().requires_grad_(True) for z in (x, w, b))
            y = fn(xs, ws, bs)
            (y * dy).sum().backward()
            results.append([y.detach(), xs.grad, ws.grad, bs.grad])
        err = max(float((u - v).abs().max()) / float(v.abs().max()) for u, v in zip(*results) if v is not None)
        report(err < 1e-12,
               f"{label} vs torch.nn.functional (values and gradients): worst relative {err:.1e} (< 1e-12)")

    # (b2) the attention sublayer against torch.nn.MultiheadAttention, whose in_proj_weight is our c_attn (q, k, v
    # stacked, each head a contiguous hs-block) and out_proj our c_proj; a boolean mask, True above the diagonal.
    C, NH, T = 16, 2, 6
    mha = torch.nn.MultiheadAttention(C, NH, batch_first=True, dtype=torch.float64)
    pa = {"c_attn.weight": mha.in_proj_weight, "c_attn.bias": mha.in_proj_bias,
          "c_proj.weight": mha.out_proj.weight, "c_proj.bias": mha.out_proj.bias}
    with torch.no_grad():
        for t in pa.values():
            t.copy_(torch.randn(t.shape, generator=gen, dtype=torch.float64))
        x = torch.randn(3, T, C, generator=gen, dtype=torch.float64)
        ours = linear(attention(torch, linear(x, pa, "c_attn"), NH), pa, "c_proj")
        theirs, _ = mha(x, x, x, attn_mask=torch.ones(T, T, dtype=torch.bool).triu(1), need_weights=False)
        err = float((ours - theirs).abs().max()) / float(theirs.abs().max())
    report(err < 1e-12, f"attention sublayer vs torch.nn.MultiheadAttention (causal, {NH} heads): worst relative "
                        f"{err:.1e} (< 1e-12)")

    # (c) the tied output: wte's gradient is the embedding's share plus the output layer's. An untied copy (the
    # output layer reads a separate leaf with wte's values) gives the two shares apart; their sum must be it.
    cfg = dict(base)
    p = random_model(torch, cfg, seed=2)
    inputs = torch.randint(cfg["vocab"], (3, 5), generator=gen)
    targets = torch.randint(cfg["vocab"], (3, 5), generator=gen)
    for t in p.values():
        t.requires_grad_(True)
    loss_of(torch, cfg, p, inputs, targets)[1].backward()
    tied = p["wte.weight"].grad.clone()
    for t in p.values():
        t.grad = None
    head = p["wte.weight"].detach().clone().requires_grad_(True)
    loss_of(torch, cfg, p, inputs, targets, head)[1].backward()
    err = float((p["wte.weight"].grad + head.grad - tied).abs().max()) / float(tied.abs().max())
    shares = float(p["wte.weight"].grad.abs().max()), float(head.grad.abs().max())
    report(err < 1e-13 and min(shares) > 0,
           f"tied wte gradient = embedding share + output share: worst relative {err:.1e} (< 1e-13), both shares "
           f"nonzero ({shares[0]:.2g}, {shares[1]:.2g})")

    # (d) the causal mask: changing the last input changes no logit of an earlier position.
    with torch.no_grad():
        changed = inputs.clone()
        changed[:, -1] = (changed[:, -1] + 1) % cfg["vocab"]
        a = gpt2_forward(torch, cfg, p, inputs).reshape(3, 5, -1)
        c = gpt2_forward(torch, cfg, p, changed).reshape(3, 5, -1)
        before, last = float((a[:, :-1] - c[:, :-1]).abs().max()), float((a[:, -1] - c[:, -1]).abs().max())
    report(before == 0 and last > 0, f"causal: the last input moves only the last position's logits "
                                     f"(earlier {before:.1e}, last {last:.2g})")

    # (e) train's AdamW against the rule written out: decoupled decay on the 2-D weights only, bias correction.
    cfg = dict(base)
    lr, (b1, b2), eps, wd, steps = 1e-2, (0.9, 0.95), 1e-8, 0.1, 3
    p = {n: t.detach().requires_grad_(True) for n, t in random_model(torch, cfg, seed=4).items()}
    q = {n: t.detach().clone().requires_grad_(True) for n, t in p.items()}
    losses = adamw_train(torch, cfg, p, inputs, targets, steps, lr, (b1, b2), eps, wd)
    m = {n: torch.zeros_like(t) for n, t in q.items()}
    v = {n: torch.zeros_like(t) for n, t in q.items()}
    by_hand = []
    for s in range(1, steps + 1):
        for t in q.values():
            t.grad = None
        loss = loss_of(torch, cfg, q, inputs, targets)[1]
        by_hand.append(float(loss))
        loss.backward()
        with torch.no_grad():
            for n, t in q.items():
                g = t.grad
                m[n] = b1 * m[n] + (1 - b1) * g
                v[n] = b2 * v[n] + (1 - b2) * g * g
                mhat, vhat = m[n] / (1 - b1 ** s), v[n] / (1 - b2 ** s)
                t -= lr * (mhat / (vhat.sqrt() + eps) + (wd if decays(n) else 0.0) * t)
    with torch.no_grad():
        by_hand.append(float(loss_of(torch, cfg, q, inputs, targets)[1]))
    # The key biases (c_attn.bias[C:2C]) are the exception: q.b_k is the same for every key of a query, and softmax
    # ignores a shift shared by a row, so their gradient is 0 exactly and autograd returns rounding noise (~1e-17),
    # which Adam divides by eps: they move by ~lr 1e-17/eps = 1e-11 a step, differently in the two runs (the steps
    # before left one-ulp differences), and the loss does not see them. They are held to steps lr 1e-15/eps.
    C = cfg["embed"]
    perr = kerr = 0.0
    for n in p:
        d = (p[n] - q[n]).detach().abs()
        if n.endswith("attn.c_attn.bias"):
            kerr = max(kerr, float(d[C:2 * C].max()))
            d[C:2 * C] = 0
        perr = max(perr, float(d.max()))
    lerr = max(abs(x_ - y_) for x_, y_ in zip(losses, by_hand))
    kmax = steps * lr * 1e-15 / eps
    report(perr < 1e-12 and kerr < kmax and lerr < 1e-12 and losses[-1] < losses[0],
           f"train = AdamW by hand ({steps} steps): parameters {perr:.1e} (< 1e-12; key biases {kerr:.1e} < "
           f"{kmax:.0e}), losses {lerr:.1e} apart (< 1e-12); loss {losses[0]:.4f} -> {losses[-1]:.4f}")

    print(f"selftest: {len(failures)} failed" if failures else "selftest: all passed")
    if failures:
        sys.exit(1)


# ---- mode 4: the benchmark peer ----

def bench(args):
    # OpenBLAS reads its thread count when it loads, and libgomp its wait policy: set both before torch loads.
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    torch = import_torch()
    blas_path, blas_ok = ensure_openblas(__file__)
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    cfg = {"vocab": args.vocab, "context": args.context, "layers": args.layers, "heads": args.heads,
           "embed": args.embed, "layernorm": True, "mlp": True, "residual": True}
    # GPT-2's initialisation, roughly (the values do not change the time of a step): gains 1, the rest N(0, 0.02).
    p = {n: torch.ones(s) if ".ln_" in "." + n and n.endswith("weight") else torch.randn(s) * 0.02
         for n, s in param_shapes(cfg).items()}
    for t in p.values():
        t.requires_grad_(True)
    groups = [{"params": [t for n, t in p.items() if decays(n)], "weight_decay": 0.1},
              {"params": [t for n, t in p.items() if not decays(n)], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=1e-4)
    inputs = torch.randint(args.vocab, (args.B, args.T))
    targets = torch.randint(args.vocab, (args.B, args.T))
    times = []
    for r in range(args.warmup + args.repeats):
        t0 = time.perf_counter()
        opt.zero_grad()
        _, loss = loss_of(torch, cfg, p, inputs, targets)
        loss.backward()
        opt.step()
        if r >= args.warmup:
            times.append(1e3 * (time.perf_counter() - t0))
    print(json.dumps({"step_ms": statistics.median(times), "times_ms": times, "threads": args.threads,
                      "torch": torch.__version__,
                      "openblas_core": openblas_core() if blas_ok else f"none (reference BLAS {blas_path})"}))


def main():
    ap = argparse.ArgumentParser(prog="torch_gpt2.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    for mode, text in (("oracle", "float64 logits, loss and gradients"), ("train", "float64 AdamW steps")):
        o = sub.add_parser(mode, help=text)
        o.add_argument("input")
        o.add_argument("output")
    sub.add_parser("selftest", help="check this oracle (finite differences, torch's pieces, tying, AdamW)")
    b = sub.add_parser("bench", help="time float32 training steps (forward, backward, AdamW)")
    for name, default in [("vocab", 50257), ("context", 1024), ("layers", 12), ("heads", 12), ("embed", 768),
                          ("B", 4), ("T", 64), ("threads", 1), ("repeats", 3), ("warmup", 1)]:
        b.add_argument("--" + name, type=int, default=default)
    args = ap.parse_args()
    try:
        {"oracle": oracle, "train": train, "selftest": selftest, "bench": bench}[args.mode](args)
    except InputError as e:
        print(f"torch_gpt2.py: error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
