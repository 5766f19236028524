"""The .s2s model file (docs/model-format.md), read and written byte for byte as c_src/modelfile.c.

`write_model` gives the same bytes as the C core's s2s_save for the same configuration,
metadata and weights; `read_model` makes the same checks, in the same order, as s2s_load and
refuses a bad file with an S2SError whose code is the one the JS library gives (BAD_FILE, LIMIT).
"""

import math
import struct
import sys
import zlib

import torch

from .errors import S2SError

MAGIC = b"S2SATTN\x1a"
FORMAT_VERSION = 1
HEADER_BYTES = 8 + 4 + 8 * 4 + 4

CELLS = ("rnn", "gru", "lstm")
ATTENTIONS = ("none", "additive", "dot")
GATES = {"rnn": 1, "gru": 3, "lstm": 4}

# c_src/s2s.h
MIN_VOCAB = 5
MAX_VOCAB = 65536
MAX_EMBED = 1024
MAX_HIDDEN = 1024
MAX_ATTN = 1024
MAX_BATCH = 4096
MAX_LENGTH = 1024
MAX_BEAM = 64
MAX_PARAMS = 64 * 1024 * 1024
MAX_FILE = 1 << 30
MAX_META = 16 << 20

CONFIG_KEYS = ("cell", "attention", "scale", "embed", "hidden", "attention_size", "src_vocab_size", "tgt_vocab_size")


def check_config(cfg, code_for_bad="BAD_ARGUMENT"):
    """s2s_check_config: raises S2SError (LIMIT for sizes past a bound, else code_for_bad)."""
    if cfg["cell"] not in CELLS:
        raise S2SError(f"unknown cell {cfg['cell']!r}: use 'rnn', 'gru' or 'lstm'", code_for_bad)
    if cfg["attention"] not in ATTENTIONS:
        raise S2SError(f"unknown attention {cfg['attention']!r}: use 'additive', 'dot' or 'none'", code_for_bad)
    if not isinstance(cfg["scale"], bool):
        raise S2SError(f"scale must be true or false, got {cfg['scale']!r}", code_for_bad)
    for what, key, lo, hi in (("embed size", "embed", 1, MAX_EMBED), ("hidden size", "hidden", 1, MAX_HIDDEN),
                              ("attention size", "attention_size", 1, MAX_ATTN),
                              ("source vocabulary size", "src_vocab_size", MIN_VOCAB, MAX_VOCAB),
                              ("target vocabulary size", "tgt_vocab_size", MIN_VOCAB, MAX_VOCAB)):
        v = cfg[key]
        if not isinstance(v, int) or v < lo or v > hi:
            raise S2SError(f"{what} {v} is out of range: it must be between {lo} and {hi}",
                           "LIMIT" if isinstance(v, int) and v > hi else code_for_bad)
    n = sum(math.prod(shape) for _, shape in parameter_layout(cfg))
    if n > MAX_PARAMS:
        raise S2SError(f"the model would have {n} parameters, more than the limit of {MAX_PARAMS}", "LIMIT")


def parameter_layout(cfg):
    """[(name, shape)] in the canonical order of parameterNames() (docs/design.md, "The model")."""
    G = GATES[cfg["cell"]]
    E, H, A = cfg["embed"], cfg["hidden"], cfg["attention_size"]
    Vs, Vt = cfg["src_vocab_size"], cfg["tgt_vocab_size"]
    attn = cfg["attention"]
    din = E + (H if attn != "none" else 0)
    dout = 2 * H if attn != "none" else H
    out = [("enc.embed", (Vs, E)), ("enc.weight_ih", (G * H, E)), ("enc.weight_hh", (G * H, H)),
           ("enc.bias_ih", (G * H,)), ("enc.bias_hh", (G * H,))]
    if attn == "additive":
        out += [("attn.W_h", (A, H)), ("attn.W_s", (A, H)), ("attn.b", (A,)), ("attn.v", (A,))]
    elif attn == "dot":
        out += [("attn.W_Q", (A, H)), ("attn.W_K", (A, H))]
    out += [("dec.embed", (Vt, E)), ("dec.weight_ih", (G * H, din)), ("dec.weight_hh", (G * H, H)),
            ("dec.bias_ih", (G * H,)), ("dec.bias_hh", (G * H,)), ("out.weight", (Vt, dout)), ("out.bias", (Vt,))]
    return out


def _tensor_bytes(layout):
    return 4 + sum(4 + len(name) + 8 + 4 * math.prod(shape) for name, shape in layout)


def _f32_bytes(t):
    t = t.detach().to("cpu", torch.float32).contiguous().reshape(-1)
    try:
        b = t.numpy().tobytes()
    except (ImportError, RuntimeError):
        import array
        b = array.array("f", t.tolist()).tobytes()
    if sys.byteorder == "big":
        import array
        a = array.array("f")
        a.frombytes(b)
        a.byteswap()
        b = a.tobytes()
    return b


def write_model(cfg, tensors, metadata=b""):
    """The model file for a configuration, {name: tensor} and metadata bytes -> bytes."""
    check_config(cfg)
    if len(metadata) > MAX_META:
        raise S2SError(f"metadata of {len(metadata)} bytes is larger than the limit of {MAX_META}", "LIMIT")
    parts = [MAGIC, struct.pack("<I", FORMAT_VERSION),
             struct.pack("<8I", CELLS.index(cfg["cell"]), ATTENTIONS.index(cfg["attention"]), int(cfg["scale"]),
                         cfg["embed"], cfg["hidden"], cfg["attention_size"], cfg["src_vocab_size"], cfg["tgt_vocab_size"]),
             struct.pack("<I", len(metadata)), bytes(metadata)]
    layout = parameter_layout(cfg)
    parts.append(struct.pack("<I", len(layout)))
    for name, shape in layout:
        if name not in tensors:
            raise S2SError(f"tensor {name!r} is missing: a {cfg['cell']}/{cfg['attention']} model needs {[n for n, _ in layout]}")
        t = tensors[name]
        if tuple(t.shape) != tuple(shape):
            raise S2SError(f"tensor {name!r} has shape {list(t.shape)}, expected {list(shape)}")
        if not bool(torch.isfinite(t).all()):
            raise S2SError(f"tensor {name!r} holds a value that is not finite: the model cannot be saved", "DIVERGED")
        rows, cols = (shape[0], shape[1]) if len(shape) == 2 else (shape[0], 0)
        parts += [struct.pack("<I", len(name)), name.encode("ascii"), struct.pack("<II", rows, cols), _f32_bytes(t)]
    body = b"".join(parts)
    return body + struct.pack("<I", zlib.crc32(body))


def read_model(data):
    """bytes -> (cfg, {name: float32 tensor}, metadata bytes); a bad file raises S2SError."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise S2SError(f"read_model needs the model file as bytes, got {type(data).__name__}")
    data = bytes(data)
    n = len(data)
    if n == 0:
        raise S2SError("not a model file: it is empty", "BAD_FILE")
    if n > MAX_FILE:
        raise S2SError(f"the model file is {n} bytes, larger than the limit of {MAX_FILE}", "LIMIT")
    if n < 8 or data[:8] != MAGIC:
        raise S2SError("not a seq2seq-attention model file: the magic bytes are wrong", "BAD_FILE")
    if n < HEADER_BYTES:
        raise S2SError(f"the model file is truncated: {n} bytes, not even a full header ({HEADER_BYTES})", "BAD_FILE")
    version = struct.unpack_from("<I", data, 8)[0]
    if version != FORMAT_VERSION:
        raise S2SError(f"unsupported model file version {version}: this library reads version {FORMAT_VERSION}", "BAD_FILE")
    words = struct.unpack_from("<8I", data, 12)
    for i, w in enumerate(words):
        if w > 0x7FFFFFFF:
            raise S2SError(f"the model file's configuration word {i} is out of range ({w})", "BAD_FILE")
    cfg = {"cell": CELLS[words[0]] if words[0] < 3 else words[0],
           "attention": ATTENTIONS[words[1]] if words[1] < 3 else words[1],
           "scale": bool(words[2]) if words[2] in (0, 1) else words[2],
           "embed": words[3], "hidden": words[4], "attention_size": words[5],
           "src_vocab_size": words[6], "tgt_vocab_size": words[7]}
    try:
        check_config(cfg, "BAD_FILE")
    except S2SError as e:
        raise S2SError(f"the model file's configuration is not valid: {e}", e.code) from None
    meta_len = struct.unpack_from("<I", data, 44)[0]
    if meta_len > MAX_META:
        raise S2SError(f"the model file's metadata is {meta_len} bytes, more than the limit of {MAX_META}", "LIMIT")
    layout = parameter_layout(cfg)
    expected = HEADER_BYTES + meta_len + _tensor_bytes(layout) + 4
    if n != expected:
        if n < expected:
            raise S2SError(f"the model file is truncated: {n} bytes where its header implies {expected}", "BAD_FILE")
        raise S2SError(f"the model file has {n} bytes where its header implies {expected} (extra bytes at the end)", "BAD_FILE")
    want = struct.unpack_from("<I", data, n - 4)[0]
    got = zlib.crc32(memoryview(data)[: n - 4])
    if want != got:
        raise S2SError(f"the model file is corrupted: its checksum is {want:08x} but its contents give {got:08x}", "BAD_FILE")
    p = HEADER_BYTES
    metadata = data[p: p + meta_len]
    p += meta_len
    count = struct.unpack_from("<I", data, p)[0]
    p += 4
    if count != len(layout):
        raise S2SError(f"the model file has {count} tensors where its configuration needs {len(layout)}", "BAD_FILE")
    buf = bytearray(data)
    tensors = {}
    for i, (name, shape) in enumerate(layout):
        nl = struct.unpack_from("<I", data, p)[0]
        if nl != len(name) or data[p + 4: p + 4 + nl] != name.encode("ascii"):
            raise S2SError(f"the model file's tensor {i} is not '{name}'", "BAD_FILE")
        p += 4 + nl
        rows, cols = struct.unpack_from("<II", data, p)
        p += 8
        want_rows, want_cols = (shape[0], shape[1]) if len(shape) == 2 else (shape[0], 0)
        if rows != want_rows or cols != want_cols:
            raise S2SError(f"the model file's tensor '{name}' has shape [{rows}, {cols}], expected [{want_rows}, {want_cols}]", "BAD_FILE")
        count = math.prod(shape)
        t = torch.frombuffer(buf, dtype=torch.float32, count=count, offset=p).clone()
        if sys.byteorder == "big":
            t = torch.frombuffer(bytearray(data[p: p + 4 * count])[::-1], dtype=torch.float32).flip(0)
        p += 4 * count
        if not bool(torch.isfinite(t).all()):
            raise S2SError(f"the model file's tensor '{name}' holds a value that is not finite", "BAD_FILE")
        tensors[name] = t.reshape(shape)
    return cfg, tensors, metadata
