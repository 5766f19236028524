"""The model of docs/design.md as a torch.nn.Module, plus the C core's seeded initialisation and its
greedy and beam decoding.

`Seq2SeqModel.state_dict()` has exactly the names and shapes of parameterNames() in the JS
library (docs/model-format.md), in the same order, so weights go between the two by name. The
encoder runs PyTorch's fused RNN/GRU over the padded batch (the LSTM steps with its cell
function, see `encode`); the decoder steps with PyTorch's cell functions, whose equations and
gate orders are the ones the C core follows.
"""

import math
import struct

import torch
import torch.nn.functional as F
from torch import nn

from .errors import S2SError
from .modelfile import MAX_BEAM, MAX_LENGTH, check_config, parameter_layout
from .text import BOS, EOS, PAD

_VF = torch._VF


def make_config(cell="gru", attention="additive", scale=True, embed=32, hidden=64, attention_size=64,
                src_vocab_size=None, tgt_vocab_size=None):
    cfg = {"cell": cell, "attention": attention, "scale": scale, "embed": embed, "hidden": hidden,
           "attention_size": attention_size, "src_vocab_size": src_vocab_size, "tgt_vocab_size": tgt_vocab_size}
    check_config(cfg)
    return cfg


def _f32(x):
    """Rounds a Python float to float32 (so sums of float32s round as the C core's do)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


# ---- the C core's seeded initialisation (c_src/model.c: splitmix64, uniform(-b, b)) ----------

_M64 = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15
_C1 = 0xBF58476D1CE4E5B9
_C2 = 0x94D049BB133111EB


def _signed(x):
    return x - (1 << 64) if x >= (1 << 63) else x


def _srl(z, s):
    """Logical right shift of int64 tensors holding uint64 bit patterns."""
    return (z >> s) & ((1 << (64 - s)) - 1)


def splitmix64_top24(seed, start, count):
    """Bits 40..63 of splitmix64 outputs number start+1 .. start+count of a stream seeded with
    `seed` (the state advances by the golden gamma before each output), as an int64 tensor."""
    k = torch.arange(start + 1, start + count + 1, dtype=torch.int64)
    # state_k = seed + k * gamma (mod 2^64); int64 arithmetic wraps like uint64
    z = torch.full_like(k, _signed(seed & _M64)) + k * _signed(_GAMMA)
    z = (z ^ _srl(z, 30)) * _signed(_C1)
    z = (z ^ _srl(z, 27)) * _signed(_C2)
    z = z ^ _srl(z, 31)
    return _srl(z, 40)


def seeded_weights(cfg, seed):
    """{name: tensor}: the weights s2s_create draws for this configuration and seed, bit for bit."""
    if not isinstance(seed, int) or seed < 0 or seed > 0xFFFFFFFF:
        raise S2SError(f"seed must be an integer from 0 to 4294967295, got {seed!r}")
    H, A = cfg["hidden"], cfg["attention_size"]
    dout = 2 * H if cfg["attention"] != "none" else H
    out = {}
    at = 0
    for name, shape in parameter_layout(cfg):
        n = math.prod(shape)
        if "embed" in name:
            bound = torch.tensor(1.0, dtype=torch.float32)
        else:
            d = A if name == "attn.v" else dout if name.startswith("out.") else H
            bound = torch.tensor(1.0, dtype=torch.float32) / torch.tensor(math.sqrt(d), dtype=torch.float32)
        vals = torch.empty(n, dtype=torch.float32)
        chunk = 1 << 20
        for s in range(0, n, chunk):
            c = min(chunk, n - s)
            u = splitmix64_top24(seed, at + s, c).to(torch.float32) * (1.0 / 16777216.0)
            vals[s: s + c] = (u + u - 1) * bound
        at += n
        out[name] = vals.reshape(shape)
    return out


# ---- the module ---------------------------------------------------------------------------

class Seq2SeqModel(nn.Module):
    """Encoder, attention (additive, dot or none), decoder and output layer of docs/design.md."""

    def __init__(self, cfg, seed=None):
        super().__init__()
        cfg = dict(cfg)
        check_config(cfg)
        self.cfg = cfg
        layout = parameter_layout(cfg)
        groups = {}
        for name, shape in layout:
            group, leaf = name.split(".")
            if group not in groups:
                groups[group] = nn.Linear(1, 1) if group == "out" else nn.Module()
                if group == "out":
                    del groups[group].weight, groups[group].bias
                self.add_module(group, groups[group])
            groups[group].register_parameter(leaf, nn.Parameter(torch.zeros(shape)))
        self.out.in_features, self.out.out_features = shape_of(layout, "out.weight")[1], cfg["tgt_vocab_size"]
        if seed is not None:
            self.load_weights(seeded_weights(cfg, seed))

    # parameters by name, as the JS library's parameterNames / getParameter / setParameter
    def parameter_names(self):
        return [name for name, _ in parameter_layout(self.cfg)]

    def load_weights(self, tensors):
        """Copies {name: tensor} into the parameters (every name, exact shapes)."""
        own = dict(self.named_parameters())
        for name, shape in parameter_layout(self.cfg):
            if name not in tensors:
                raise S2SError(f"weights for {name!r} are missing")
            t = torch.as_tensor(tensors[name])
            if tuple(t.shape) != tuple(shape):
                raise S2SError(f"{name!r} has shape {list(t.shape)}, the model needs {list(shape)}")
            with torch.no_grad():
                own[name].copy_(t)

    def weights(self):
        """{name: float32 CPU tensor} in canonical order (copies)."""
        own = dict(self.named_parameters())
        return {name: own[name].detach().to("cpu", torch.float32).clone() for name in self.parameter_names()}

    # ---- forward pieces ----
    def _flat(self, part):
        return [part.weight_ih, part.weight_hh, part.bias_ih, part.bias_hh]

    def encode(self, src, src_len):
        """src [B, M] (PAD after each sequence), src_len [B] -> (h_enc [B, M, H], keys, mask [B, M], s0)
        where s0 is the state at each sequence's last real position (docs/design.md's s_0 = h_m).

        RNN and GRU run PyTorch's fused op over the padded batch (a unidirectional RNN's state at a
        real position does not depend on the PAD after it; attention masks the PAD positions) and
        take each sequence's state at its last real position. An LSTM's s0 also needs the cell at
        that position, which the fused op does not return, so the LSTM steps with torch.lstm_cell
        and holds each sequence's state once it has ended. (Packed sequences would give both, but
        their backward on the CPU costs O(M^2) copies: twice slower here.)"""
        cell = self.cfg["cell"]
        B, M = src.shape
        H = self.cfg["hidden"]
        x = F.embedding(src, self.enc.embed)
        lens = src_len.to(src.device)
        mask = torch.arange(M, device=src.device)[None, :] < lens[:, None]
        e = self.enc
        if cell == "lstm":
            h = c = x.new_zeros(B, H)
            hs = []
            for xt, mt in zip(x.unbind(1), mask.unbind(1)):
                hn, cn = torch.lstm_cell(xt, (h, c), e.weight_ih, e.weight_hh, e.bias_ih, e.bias_hh)
                keep = mt[:, None]
                h, c = torch.where(keep, hn, h), torch.where(keep, cn, c)
                hs.append(h)
            h_enc = torch.stack(hs, dim=1)
            s0 = (h, c)
        else:
            fn = _VF.gru if cell == "gru" else _VF.rnn_tanh
            h_enc, _ = fn(x, x.new_zeros(1, B, H), self._flat(e), True, 1, 0.0, self.training, False, True)
            s0 = h_enc[torch.arange(B, device=src.device), lens - 1]
        attn = self.cfg["attention"]
        if attn == "none":
            return None, None, None, s0
        keys = h_enc @ (self.attn.W_h if attn == "additive" else self.attn.W_K).t()
        return h_enc, keys, mask, s0

    def attend(self, h_enc, keys, mask, s):
        """Scores, softmax over the real positions, context: -> (alpha [R, M], ctx [R, H])."""
        if self.cfg["attention"] == "additive":
            q = s @ self.attn.W_s.t() + self.attn.b
            scores = torch.tanh(keys + q[:, None, :]) @ self.attn.v
        else:
            q = s @ self.attn.W_Q.t()
            scores = torch.bmm(keys, q[:, :, None])[:, :, 0]
            if self.cfg["scale"]:
                scores = scores * (1.0 / math.sqrt(self.cfg["attention_size"]))
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        alpha = torch.softmax(scores, dim=1)
        ctx = torch.bmm(alpha[:, None, :], h_enc)[:, 0, :]
        return alpha, ctx

    def cell_step(self, x, state):
        d = self.dec
        cell = self.cfg["cell"]
        if cell == "lstm":
            return torch.lstm_cell(x, state, d.weight_ih, d.weight_hh, d.bias_ih, d.bias_hh)
        if cell == "gru":
            return torch.gru_cell(x, state, d.weight_ih, d.weight_hh, d.bias_ih, d.bias_hh)
        return torch.rnn_tanh_cell(x, state, d.weight_ih, d.weight_hh, d.bias_ih, d.bias_hh)

    def logits(self, src, src_len, tgt_in):
        """Teacher-forced logits [B, N, Vt] for decoder inputs tgt_in [B, N] (BOS y_1 .. y_{T-1})."""
        h_enc, keys, mask, state = self.encode(src, src_len)
        emb = F.embedding(tgt_in, self.dec.embed)  # [B, N, E]
        cell = self.cfg["cell"]
        if self.cfg["attention"] == "none":
            # no context: the decoder is a plain RNN over the known inputs, one fused call
            flat = self._flat(self.dec)
            hx = (state[0][None], state[1][None]) if cell == "lstm" else state[None]
            fn = {"lstm": _VF.lstm, "gru": _VF.gru, "rnn": _VF.rnn_tanh}[cell]
            res = fn(emb, hx, flat, True, 1, 0.0, self.training, False, True)
            return self.out(res[0])
        outs = []
        for x in emb.unbind(1):  # unbind, not emb[:, i]: one backward for all steps, not one per step
            s = state[0] if cell == "lstm" else state
            _, ctx = self.attend(h_enc, keys, mask, s)
            state = self.cell_step(torch.cat([x, ctx], dim=1), state)
            s = state[0] if cell == "lstm" else state
            outs.append(torch.cat([s, ctx], dim=1))
        return self.out(torch.stack(outs, dim=1))

    def forward(self, src, src_len, tgt_in, tgt_out):
        """-> (sum of -log p over the non-PAD targets, their count). The loss is sum / count."""
        logits = self.logits(src, src_len, tgt_in)
        loss_sum = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1),
                                   ignore_index=PAD, reduction="sum")
        return loss_sum, (tgt_out != PAD).sum()

    def loss(self, batch):
        """docs/design.md's loss: mean over the non-PAD target positions of the batch."""
        loss_sum, count = self(batch["src"], batch["src_len"], batch["tgt_in"], batch["tgt_out"])
        return loss_sum / count

    # ---- decoding (c_src/decode.c) ----
    @torch.no_grad()
    def _step_logp(self, enc, tokens, state):
        h_enc, keys, _ = enc
        R = tokens.shape[0]
        cell = self.cfg["cell"]
        s = state[0] if cell == "lstm" else state
        x = F.embedding(tokens, self.dec.embed)
        alpha = ctx = None
        if self.cfg["attention"] != "none":
            alpha, ctx = self.attend(h_enc.expand(R, -1, -1), keys.expand(R, -1, -1), None, s)
            x = torch.cat([x, ctx], dim=1)
        state = self.cell_step(x, state)
        s = state[0] if cell == "lstm" else state
        o = torch.cat([s, ctx], dim=1) if ctx is not None else s
        return F.log_softmax(self.out(o), dim=1), alpha, state

    @torch.no_grad()
    def translate_tokens(self, src_ids, beam=1, n_best=1, max_length=50, length_penalty=0.0):
        """translateTokens: -> list of hypotheses {tokens, attention [len][M], log_prob, score},
        best first; greedy for beam 1, else beam search with greedy's answer competing."""
        src_ids = [int(i) for i in src_ids]
        M = len(src_ids)
        if M < 1 or M > MAX_LENGTH:
            raise S2SError(f"source length {M} is out of range: it must be between 1 and {MAX_LENGTH}",
                           "BAD_ARGUMENT" if M < 1 else "LIMIT")
        if not isinstance(max_length, int) or max_length < 1 or max_length > MAX_LENGTH:
            raise S2SError(f"maxLength {max_length} is out of range: it must be between 1 and {MAX_LENGTH}")
        if not isinstance(beam, int) or beam < 1 or beam > MAX_BEAM:
            raise S2SError(f"beam must be an integer from 1 to {MAX_BEAM}, got {beam!r}", "LIMIT" if isinstance(beam, int) and beam > MAX_BEAM else "BAD_ARGUMENT")
        if not isinstance(n_best, int) or n_best < 1 or n_best > beam:
            raise S2SError(f"nBest {n_best} must be between 1 and the beam width {beam}")
        if not (0 <= length_penalty <= 10):
            raise S2SError(f"lengthPenalty must be between 0 and 10, got {length_penalty}")
        Vs = self.cfg["src_vocab_size"]
        for j, t in enumerate(src_ids):
            if t < 0 or t >= Vs:
                raise S2SError(f"source token {t} at position {j} is not a token id (0..{Vs - 1})")
        was_training = self.training
        self.eval()
        try:
            dev = self.enc.embed.device
            src = torch.tensor([src_ids], dtype=torch.int64, device=dev)
            h_enc, keys, _, s0 = self.encode(src, torch.tensor([M]))
            enc = (h_enc, keys, M)
            greedy = self._greedy(enc, s0, max_length, length_penalty)
            if beam == 1:
                return [greedy]
            fin = self._beam(enc, s0, beam, max_length, length_penalty)
            if not any(h["tokens"] == greedy["tokens"] for h in fin):
                fin.append(greedy)
            fin.sort(key=lambda h: (-h["score"], len(h["tokens"])))
            return fin[:n_best]
        finally:
            self.train(was_training)

    def _norm(self, logprob, length, alpha):
        return logprob if alpha == 0 else _f32(logprob / _f32(math.pow(length, alpha)))

    def _greedy(self, enc, state, max_len, alpha):
        M = enc[2]
        toks, attn = [], []
        logprob = 0.0
        prev = torch.tensor([BOS], device=self.enc.embed.device)
        while len(toks) < max_len:
            logp, al, state = self._step_logp(enc, prev, state)
            row = logp[0]
            tok = int(torch.argmax(row[EOS:])) + EOS  # never PAD or BOS; ties: the lower id
            logprob = _f32(logprob + float(row[tok]))
            toks.append(tok)
            attn.append(al[0].tolist() if al is not None else [0.0] * M)
            if tok == EOS:
                break
            prev = torch.tensor([tok], device=prev.device)
        return {"tokens": toks, "attention": attn, "log_prob": logprob, "score": self._norm(logprob, len(toks), alpha)}

    def _beam(self, enc, s0, k, max_len, alpha):
        lstm = self.cfg["cell"] == "lstm"
        dev = self.enc.embed.device
        state = s0
        beam_lp = [0.0]
        prev = [BOS]
        hist = []  # per step: list of (token, back-row, attention row) for the alive beams
        fin = []
        t = 0
        while t < max_len and prev and len(fin) < k:
            logp, al, new_state = self._step_logp(enc, torch.tensor(prev, device=dev), state)
            logp = logp[:, EOS:]
            vals, idx = torch.sort(logp, dim=1, descending=True, stable=True)
            vals, idx = vals[:, :k].tolist(), (idx[:, :k] + EOS).tolist()
            cand = []
            for r in range(len(prev)):
                for c in range(len(vals[r])):
                    cand.append((_f32(beam_lp[r] + vals[r][c]), r, idx[r][c]))
            cand.sort(key=lambda x: (-x[0], x[1], x[2]))
            alr = al.tolist() if al is not None else None
            M = enc[2]
            step_hist, rows, next_lp, next_prev = [], [], [], []
            for lp, r, tok in cand:
                if len(step_hist) >= k or len(fin) >= k:
                    break
                if tok == EOS:
                    tokens, attn = [EOS], [alr[r] if alr else [0.0] * M]
                    rr = r
                    for s in range(t - 1, -1, -1):
                        tk, back, a = hist[s][rr]
                        tokens.append(tk)
                        attn.append(a)
                        rr = back
                    fin.append({"tokens": tokens[::-1], "attention": attn[::-1], "log_prob": lp,
                                "score": self._norm(lp, t + 1, alpha)})
                    continue
                step_hist.append((tok, r, alr[r] if alr else [0.0] * M))
                rows.append(r)
                next_lp.append(lp)
                next_prev.append(tok)
            hist.append(step_hist)
            if rows:
                ri = torch.tensor(rows, device=dev)
                state = (new_state[0][ri], new_state[1][ri]) if lstm else new_state[ri]
            beam_lp, prev = next_lp, next_prev
            t += 1
        if not fin and prev:
            tokens, attn, rr = [], [], 0
            for s in range(t - 1, -1, -1):
                tk, back, a = hist[s][rr]
                tokens.append(tk)
                attn.append(a)
                rr = back
            fin.append({"tokens": tokens[::-1], "attention": attn[::-1], "log_prob": beam_lp[0],
                        "score": self._norm(beam_lp[0], t, alpha)})
        return fin


def shape_of(layout, name):
    return dict(layout)[name]


def make_batch(examples, device=None):
    """Pads encoded examples [(src_ids, tgt_ids)] into the core's batch layout (lib/translator.js
    makeBatch): tgt_in = BOS y_1..y_T, tgt_out = y_1..y_T EOS, PAD after. -> dict of int64 tensors."""
    B = len(examples)
    M = max(1, max(len(s) for s, _ in examples))
    N = max(1, max(len(t) + 1 for _, t in examples))
    src = torch.zeros(B, M, dtype=torch.int64)
    tgt_in = torch.zeros(B, N, dtype=torch.int64)
    tgt_out = torch.zeros(B, N, dtype=torch.int64)
    src_len = torch.empty(B, dtype=torch.int64)
    for b, (s, t) in enumerate(examples):
        src[b, : len(s)] = torch.tensor(s, dtype=torch.int64)
        src_len[b] = len(s)
        tgt_in[b, 0] = BOS
        if t:
            tt = torch.tensor(t, dtype=torch.int64)
            tgt_in[b, 1: len(t) + 1] = tt
            tgt_out[b, : len(t)] = tt
        tgt_out[b, len(t)] = EOS
    batch = {"src": src, "src_len": src_len, "tgt_in": tgt_in, "tgt_out": tgt_out}
    if device is not None:
        batch = {k: (v.to(device) if k != "src_len" else v) for k, v in batch.items()}
    return batch
