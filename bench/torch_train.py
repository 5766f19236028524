#!/usr/bin/env python3
"""PyTorch eager on one CPU thread, training the benchmark's models (bench/common.js MODELS) with
the same shapes, the same decoder (docs/design.md: attention on s_{i-1}, input feeding, output layer
on [s_i ; c_{i-1}]), cross-entropy over all target positions, global-norm clipping at 5 and one
Adam step, for bench/torch.js.

Protocol (one JSON object per line): the first line on stdin is the model config
{"cell", "attention", "scale", "embed", "hidden", "attentionSize", "srcVocabSize", "tgtVocabSize",
 "m", "n", "B"}; the script answers {"ready": true, "torch": version, "threads": 1, "blas": ...,
 "openblasCore", "atenCapability"} (isa_report: which SIMD width runs).
Then each line {"steps": k} runs k timed training steps and answers
{"cpuMs": [...], "wallMs": [...], "loss": last loss}; a line {"sgemm": n, "reps": r} times r
products of two n x n float32 matrices (one warm-up) and answers {"cpuMs": [...]}; an empty line
or EOF ends it. So the caller
can alternate PyTorch steps with its own in paired rounds while this process stays warm.
"""
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(1)
torch.set_num_interop_threads(1)


class Seq2Seq(nn.Module):
    def __init__(self, c):
        super().__init__()
        E, H, A = c["embed"], c["hidden"], c["attentionSize"]
        self.cell, self.attn, self.scale = c["cell"], c["attention"], c.get("scale", True)
        rnn = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[self.cell]
        cell = {"rnn": nn.RNNCell, "gru": nn.GRUCell, "lstm": nn.LSTMCell}[self.cell]
        self.enc_embed = nn.Embedding(c["srcVocabSize"], E)
        self.enc = rnn(E, H)  # fused over the whole (full-length) source
        self.dec_embed = nn.Embedding(c["tgtVocabSize"], E)
        self.dec = cell(E + (H if self.attn != "none" else 0), H)
        if self.attn == "additive":
            self.W_h = nn.Linear(H, A, bias=False)
            self.W_s = nn.Linear(H, A, bias=True)
            self.v = nn.Parameter(torch.empty(A).uniform_(-A ** -0.5, A ** -0.5))
        elif self.attn == "dot":
            self.W_Q = nn.Linear(H, A, bias=False)
            self.W_K = nn.Linear(H, A, bias=False)
        self.out = nn.Linear(2 * H if self.attn != "none" else H, c["tgtVocabSize"])
        self.A = A

    def forward(self, src, tgt_in):  # src [m, B], tgt_in [n, B]
        hs, state = self.enc(self.enc_embed(src))  # hs [m, B, H]
        if self.cell == "lstm":
            s, cst = state[0][0], state[1][0]
        else:
            s, cst = state[0], None
        hb = hs.transpose(0, 1)  # [B, m, H]
        if self.attn == "additive":
            keys = self.W_h(hb)  # once per sequence
        elif self.attn == "dot":
            keys = self.W_K(hb)
        outs = []
        for x in self.dec_embed(tgt_in).unbind(0):
            if self.attn == "none":
                inp = x
            else:
                if self.attn == "additive":
                    a = torch.tanh(keys + self.W_s(s).unsqueeze(1)) @ self.v  # [B, m]
                else:
                    a = (keys @ self.W_Q(s).unsqueeze(2)).squeeze(2)
                    if self.scale:
                        a = a / self.A ** 0.5
                alpha = torch.softmax(a, dim=1)
                ctx = (alpha.unsqueeze(1) @ hb).squeeze(1)  # [B, H]
                inp = torch.cat([x, ctx], 1)
            if self.cell == "lstm":
                s, cst = self.dec(inp, (s, cst))
            else:
                s = self.dec(inp, s)
            outs.append(s if self.attn == "none" else torch.cat([s, ctx], 1))
        return self.out(torch.stack(outs))  # [n, B, Vt], all steps at once


def batch(c, seed=7):
    g = torch.Generator().manual_seed(seed)
    m, n, B = c["m"], c["n"], c["B"]
    src = torch.randint(4, c["srcVocabSize"], (m, B), generator=g)
    tgt_out = torch.randint(4, c["tgtVocabSize"], (n, B), generator=g)
    tgt_out[-1] = 2
    tgt_in = torch.cat([torch.ones(1, B, dtype=torch.long), tgt_out[:-1]])
    return src, tgt_in, tgt_out


def blas_name():
    for part in torch.__config__.show().replace("\n", ",").split(","):
        if "BLAS_INFO=" in part:
            return part.split("BLAS_INFO=", 1)[1].strip()
    return "unknown"


def isa_report():
    """What this process really runs: the kernel OpenBLAS picked (openblas_get_corename() of the
    loaded library; OPENBLAS_CORETYPE overrides it in Debian's DYNAMIC_ARCH builds), the ATen CPU
    capability (torch.__config__.show(); ATEN_CPU_CAPABILITY lowers it). {"sgemm": n} lines
    then time n x n x n products, which show the kernel in effect."""
    import ctypes
    core = None
    try:
        with open("/proc/self/maps") as f:
            paths = sorted({ln.split()[-1] for ln in f if "openblas" in ln.lower() and "/" in ln})
        for path in paths:
            lib = ctypes.CDLL(path)
            if hasattr(lib, "openblas_get_corename"):
                lib.openblas_get_corename.restype = ctypes.c_char_p
                core = lib.openblas_get_corename().decode()
                break
    except OSError:
        pass
    cap = None
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage:" in line:
            cap = line.split(":", 1)[1].strip()
    return {"openblasCore": core, "atenCapability": cap,
            "env": {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "ATEN_CPU_CAPABILITY") if k in os.environ}}


def main():
    c = json.loads(sys.stdin.readline())
    torch.manual_seed(1)
    model = Seq2Seq(c)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    src, tgt_in, tgt_out = batch(c)

    def step():
        opt.zero_grad(set_to_none=True)
        logits = model(src, tgt_in)
        loss = loss_fn(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        return loss.item()

    # the shared library the BLAS calls land in (LD_LIBRARY_PATH picks OpenBLAS, TOOLCHAIN.md)
    libs = []
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({ln.split()[-1].rsplit("/", 1)[-1] for ln in f if "blas" in ln.lower() and "/" in ln})
    except OSError:
        pass
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "blasBuild": blas_name(), "blasLoaded": libs, "python": sys.executable,
                      "params": sum(p.numel() for p in model.parameters()), **isa_report()}), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            break
        req = json.loads(line)
        if "sgemm" in req:
            n = req["sgemm"]
            a, b = torch.randn(n, n), torch.randn(n, n)
            a @ b
            cpu = []
            for _ in range(req.get("reps", 3)):
                c0 = time.process_time()
                a @ b
                cpu.append((time.process_time() - c0) * 1e3)
            print(json.dumps({"cpuMs": cpu}), flush=True)
            continue
        k = req["steps"]
        cpu, wall, loss = [], [], None
        for _ in range(k):
            c0, w0 = time.process_time(), time.perf_counter()
            loss = step()
            cpu.append((time.process_time() - c0) * 1e3)
            wall.append((time.perf_counter() - w0) * 1e3)
        print(json.dumps({"cpuMs": cpu, "wallMs": wall, "loss": loss}), flush=True)


if __name__ == "__main__":
    main()
