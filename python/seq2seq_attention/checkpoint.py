"""Reading and writing the JS library's checkpoint files (docs/model-format.md, "Checkpoints"): the model
file, Adam's state and the run's JSON state, sealed with a CRC-32. The same checks, in the same
order, as lib/checkpoint.js's decodeCheckpoint, with the same error codes. `train --init X.ckpt`
takes the model and Adam's moments and step from one (the run position in its session is not
resumed: the Python run starts its own); `train --checkpoint` writes one next to the model
(session null: "between runs"), which Translator.loadCheckpoint in Node and the page take with
Adam's state."""

import json
import struct
import zlib

import torch

from .errors import S2SError

MAGIC = b"S2SCKPT\x1a"
VERSION = 1
FORMAT = "seq2seq-attention/checkpoint"
MAX_BYTES = 2 ** 31
MAX_MODEL_BYTES = 2 ** 30
MAX_PARAMETERS = 64 * 2 ** 20
MAX_STATE_BYTES = 16 * 2 ** 20
FIXED_BYTES = 8 + 4 + 4 + 4 + 4 + 5 * 8 + 4 + 4


def is_checkpoint(data):
    return bytes(data[:8]) == MAGIC


def read_checkpoint(data):
    """bytes -> {'model': model-file bytes, 'optimizer': {steps, beta1, ..., m, v}, 'state': dict}."""
    data = bytes(data)
    n = len(data)
    bad = lambda msg, code="BAD_FILE": S2SError(msg, code)
    if n == 0:
        raise bad("not a checkpoint: it is empty")
    if n > MAX_BYTES:
        raise bad(f"the checkpoint is {n} bytes, larger than the limit of {MAX_BYTES}", "LIMIT")
    if n < 8 or data[:8] != MAGIC:
        if data[:7] == b"S2SATTN":
            raise bad("this is a model file, not a checkpoint")
        raise bad("not a seq2seq-attention checkpoint: the magic bytes are wrong")
    if n < 16:
        raise bad(f"the checkpoint is truncated: {n} bytes where its contents imply at least {FIXED_BYTES}")
    version, model_len = struct.unpack_from("<II", data, 8)
    if version != VERSION:
        raise bad(f"unsupported checkpoint version {version}: this library reads version {VERSION}")
    if model_len > MAX_MODEL_BYTES:
        raise bad(f"the checkpoint's model file is {model_len} bytes, larger than the limit of {MAX_MODEL_BYTES}", "LIMIT")
    at = 16 + model_len
    if n < at + 4:
        raise bad(f"the checkpoint is truncated: {n} bytes where its contents imply at least {FIXED_BYTES + model_len}")
    P = struct.unpack_from("<I", data, at)[0]
    if P > MAX_PARAMETERS:
        raise bad(f"the checkpoint's optimizer state has {P} parameters, more than the limit of {MAX_PARAMETERS}", "LIMIT")
    json_at = at + 4 + 4 + 40 + 8 * P
    if n < json_at + 4:
        raise bad(f"the checkpoint is truncated: {n} bytes where its contents imply at least {FIXED_BYTES + model_len + 8 * P}")
    json_len = struct.unpack_from("<I", data, json_at)[0]
    if json_len > MAX_STATE_BYTES:
        raise bad(f"the checkpoint's training state is {json_len} bytes, more than the limit of {MAX_STATE_BYTES}", "LIMIT")
    expected = FIXED_BYTES + model_len + 8 * P + json_len
    if n < expected:
        raise bad(f"the checkpoint is truncated: {n} bytes where its contents imply {expected}")
    if n > expected:
        raise bad(f"the checkpoint has {n} bytes where its contents imply {expected} (extra bytes at the end)")
    want = struct.unpack_from("<I", data, expected - 4)[0]
    got = zlib.crc32(memoryview(data)[: expected - 4])
    if want != got:
        raise bad(f"the checkpoint is corrupted: its checksum is {want:08x} but its contents give {got:08x}")
    model = data[16: 16 + model_len]
    steps = struct.unpack_from("<I", data, at + 4)[0]
    b1, b2, eps, p1, p2 = struct.unpack_from("<5d", data, at + 8)
    buf = bytearray(data[at + 48: at + 48 + 8 * P])
    m = torch.frombuffer(buf, dtype=torch.float32, count=P, offset=0).clone() if P else torch.zeros(0)
    v = torch.frombuffer(buf, dtype=torch.float32, count=P, offset=4 * P).clone() if P else torch.zeros(0)
    try:
        state = json.loads(data[json_at + 4: json_at + 4 + json_len].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise bad("the checkpoint's training state is not valid UTF-8 JSON") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT or state.get("version") != VERSION:
        raise bad("the checkpoint's training state is not a seq2seq-attention checkpoint's (format/version)")
    for name, x, lo, hi in (("beta1", b1, 0, 1), ("beta2", b2, 0, 1), ("epsilon", eps, 0, 1), ("beta1Power", p1, 0, 1), ("beta2Power", p2, 0, 1)):
        if not (lo <= x <= hi):
            raise bad(f"the checkpoint's optimizer state is not valid: {name} must be between {lo} and {hi}, got {x}")
    if not bool(torch.isfinite(m).all()) or not bool(torch.isfinite(v).all()) or bool((v < 0).any()):
        raise bad("the checkpoint's optimizer state is not valid: its moments must be finite (and the second >= 0)")
    session = state.get("session")
    if isinstance(session, dict) and isinstance(session.get("step"), int) and session["step"] > steps:
        raise bad(f"the checkpoint is inconsistent: its session is at step {session['step']} but Adam has taken only {steps} steps")
    return {"model": model, "state": state,
            "optimizer": {"steps": steps, "beta1": b1, "beta2": b2, "epsilon": eps, "beta1Power": p1, "beta2Power": p2, "m": m, "v": v}}


def write_checkpoint(model, optimizer, app=None, backend="simd"):
    """Model-file bytes + Adam's state ({steps, beta1, beta2, epsilon, beta1Power, beta2Power, m, v})
    -> checkpoint bytes, with session null. `backend` names the WebAssembly build the JS side should
    resume on (the format has no value for PyTorch; `app.writer` says who wrote it)."""
    import datetime

    P = optimizer["m"].numel()
    state = {"format": FORMAT, "version": VERSION,
             "savedAt": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
             "backend": backend, "session": None, "app": app}
    js = json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if len(js) > MAX_STATE_BYTES:
        raise S2SError(f"the checkpoint's training state is {len(js)} bytes of JSON, more than the limit of {MAX_STATE_BYTES}", "LIMIT")
    from .modelfile import _f32_bytes
    parts = [MAGIC, struct.pack("<II", VERSION, len(model)), bytes(model),
             struct.pack("<II", P, optimizer["steps"]),
             struct.pack("<5d", optimizer["beta1"], optimizer["beta2"], optimizer["epsilon"], optimizer["beta1Power"], optimizer["beta2Power"]),
             _f32_bytes(optimizer["m"]), _f32_bytes(optimizer["v"]), struct.pack("<I", len(js)), js]
    body = b"".join(parts)
    return body + struct.pack("<I", zlib.crc32(body))
