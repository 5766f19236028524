"""Reading and writing the JS library's checkpoint files (docs/model-format.md, "Checkpoints"): the model
file, Adam's state and the run's JSON state, sealed with a CRC-32. The same checks, in the same
order, as lib/checkpoint.js's decodeCheckpoint, with the same error codes and messages. The JSON
state's `session` is the training session's state (session.py, lib/session.js's state()): the
Python trainer writes it (`--checkpoint-every`, `--stop-after`, `--checkpoint`) and `--resume`
goes on from it exactly, from a checkpoint Python or the JS library wrote; `--init X.ckpt` takes
only the model and Adam's state. A checkpoint with session null (taken between runs, or by this
package before it kept the session) loads everywhere but has no run to resume."""

import json
import struct
import zlib

import torch

from .errors import S2SError
from .session import _MISSING, _js, check_session

MAGIC = b"S2SCKPT\x1a"
VERSION = 1
FORMAT = "seq2seq-attention/checkpoint"
MAX_BYTES = 2 ** 31
MAX_MODEL_BYTES = 2 ** 30
MAX_PARAMETERS = 64 * 2 ** 20
MAX_STATE_BYTES = 16 * 2 ** 20
FIXED_BYTES = 8 + 4 + 4 + 4 + 4 + 5 * 8 + 4 + 4
BACKENDS = ("simd", "scalar", "fma")


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
        state = json.loads(data[json_at + 4: json_at + 4 + json_len].decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError):
        raise bad("the checkpoint's training state is not valid UTF-8 JSON") from None
    check_state(state)
    session = state["session"]
    if session is not None and session["step"] > steps:
        raise bad(f"the checkpoint is inconsistent: its session is at step {session['step']} but Adam has taken only {steps} steps")
    for name, x, lo, hi in (("beta1", b1, 0, 1), ("beta2", b2, 0, 1), ("epsilon", eps, 0, 1), ("beta1Power", p1, 0, 1), ("beta2Power", p2, 0, 1)):
        if not (lo <= x <= hi):
            raise bad(f"the checkpoint's optimizer state is not valid: {name} must be between {lo} and {hi}, got {x}")
    if not bool(torch.isfinite(m).all()) or not bool(torch.isfinite(v).all()) or bool((v < 0).any()):
        raise bad("the checkpoint's optimizer state is not valid: its moments must be finite (and the second >= 0)")
    return {"model": model, "state": state,
            "optimizer": {"steps": steps, "beta1": b1, "beta2": b2, "epsilon": eps, "beta1Power": p1, "beta2Power": p2, "m": m, "v": v}}


def check_state(state, code="BAD_FILE"):
    """lib/checkpoint.js's checkState: the JSON state's fields, in its order, with its messages."""
    where = "the checkpoint's training state" if code == "BAD_FILE" else "the checkpoint state"
    bad = lambda what: S2SError(f"{where}: {what}", code)
    if not isinstance(state, dict):
        raise bad("it must be a JSON object")
    get = lambda name: state.get(name, _MISSING)
    if get("format") != FORMAT:
        raise bad(f"format must be {_js(FORMAT)}, got {_js(get('format'))}")
    if get("version") != VERSION or isinstance(get("version"), bool):
        raise bad(f"version {_js(get('version'))} is not {VERSION}")
    saved = get("savedAt")
    if not isinstance(saved, str) or not _is_date(saved):
        raise bad(f"savedAt must be a date string, got {_js(saved)}")
    if get("backend") not in BACKENDS:
        raise bad(f"backend must be 'simd', 'scalar' or 'fma', got {_js(get('backend'))}")
    if get("app") is not None and not isinstance(get("app"), dict):
        raise bad("app must be an object or null")
    session = get("session")
    if session is None:
        return state
    if not isinstance(session, dict):
        raise bad("session must be an object or null")
    check_session(session, bad)
    return state


def _is_date(text):
    import datetime
    try:
        datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        return True
    except ValueError:
        return False


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def write_checkpoint(model, optimizer, session=None, app=None, backend="simd"):
    """Model-file bytes + Adam's state ({steps, beta1, beta2, epsilon, beta1Power, beta2Power, m, v})
    + the training session's state (session.py; None between runs) -> checkpoint bytes. `backend`
    names the WebAssembly build the JS side should resume on (the format has no value for PyTorch;
    `app.writer` says who wrote it)."""
    import datetime

    P = optimizer["m"].numel()
    state = {"format": FORMAT, "version": VERSION,
             "savedAt": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
             "backend": backend, "session": session, "app": app}
    check_state(state, "BAD_ARGUMENT")
    if session is not None and session["step"] > optimizer["steps"]:
        raise S2SError(f"the session is at step {session['step']} but Adam has taken only {optimizer['steps']} steps", "BAD_ARGUMENT")
    js = json.dumps(state, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    if len(js) > MAX_STATE_BYTES:
        raise S2SError(f"the checkpoint's training state is {len(js)} bytes of JSON, more than the limit of {MAX_STATE_BYTES}", "LIMIT")
    from .modelfile import _f32_bytes
    parts = [MAGIC, struct.pack("<II", VERSION, len(model)), bytes(model),
             struct.pack("<II", P, optimizer["steps"]),
             struct.pack("<5d", optimizer["beta1"], optimizer["beta2"], optimizer["epsilon"], optimizer["beta1Power"], optimizer["beta2Power"]),
             _f32_bytes(optimizer["m"]), _f32_bytes(optimizer["v"]), struct.pack("<I", len(js)), js]
    body = b"".join(parts)
    return body + struct.pack("<I", zlib.crc32(body))
