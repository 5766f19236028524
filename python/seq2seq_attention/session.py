"""The JS library's training-session state (lib/session.js's state(); docs/model-format.md, "The
JSON state"), in Python: the same fields with the same meaning, the same checks with the same
messages, and the same batch order drawn from them. A checkpoint the Python trainer writes holds
this state, so Node (Translator.loadCheckpoint, then resume) goes on with the batches the Python
run would have drawn, and the other way round; a Python run resumed from it takes exactly the
steps the uninterrupted run takes.
"""

import json
import math

from .modelfile import MAX_BATCH
from .rng import Random

FORMAT = "seq2seq-attention/session"
VERSION = 1
DEFAULT_SHARD_SIZE = 16  # lib/session.js's: examples per shard (Python does not shard, but keeps it)
SCHEDULES = ("constant", "cosine", "custom")
_M32 = 0xFFFFFFFF
_MAX_SAFE_INTEGER = 2 ** 53 - 1


def fingerprint(pairs):
    """The pairs' fingerprint: 32-bit FNV-1a over each source then target as UTF-16 code units,
    each followed by 0x1f, as 8 lowercase hex digits (lib/session.js's fingerprint)."""
    h = 0x811C9DC5
    for pair in pairs:
        for text in (pair[0], pair[1]):
            units = memoryview(text.encode("utf-16-le", "surrogatepass")).cast("H")
            for c in units:
                h = ((h ^ c) * 0x01000193) & _M32
            h = ((h ^ 0x1F) * 0x01000193) & _M32
    return f"{h:08x}"


def new_state(pairs, data, batch_size, shuffle_seed, total_steps, learning_rate, schedule, clip_norm,
              bucket=True, shard_size=None):
    """A fresh run's state, the fields in lib/session.js's order."""
    return {
        "format": FORMAT, "version": VERSION, "pairs": pairs, "data": data, "batchSize": batch_size,
        "shuffleSeed": shuffle_seed, "bucket": bucket,
        "shardSize": min(DEFAULT_SHARD_SIZE, batch_size) if shard_size is None else shard_size,
        "totalSteps": total_steps, "learningRate": learning_rate, "schedule": schedule, "clipNorm": clip_norm,
        "step": 0, "epoch": 0, "batchInEpoch": 0, "epochRandom": shuffle_seed & _M32, "random": shuffle_seed & _M32,
        "loss": None, "examples": 0, "tokens": 0, "elapsedMs": 0,
    }


def _js(x):
    """JSON.stringify(x) for the values a message shows (undefined for a missing field)."""
    if x is _MISSING:
        return "undefined"
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e21:
        return str(int(x))
    return json.dumps(x, ensure_ascii=False, separators=(",", ":"))


_MISSING = object()


def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _is_int(x):
    return _is_number(x) and (isinstance(x, int) or (math.isfinite(x) and x.is_integer()))


def check_session(s, bad):
    """lib/checkpoint.js's checks of `session` (a dict), in its order and with its messages;
    bad(what) makes the error. Integral floats become ints. Returns s."""
    get = lambda name: s.get(name, _MISSING)

    def integer(name, lo, hi=_MAX_SAFE_INTEGER):
        x = get(name)
        if not _is_int(x) or x < lo or x > hi:
            raise bad(f"session.{name} must be an integer from {lo} to {hi}, got {_js(x)}")
        s[name] = int(x)

    def number(name, lo, strict=False):
        x = get(name)
        if not _is_number(x) or not math.isfinite(x) or x < lo or (strict and x == lo):
            raise bad(f"session.{name} must be a finite number {'>' if strict else '>='} {lo}, got {_js(x)}")

    if get("format") != FORMAT:
        raise bad(f"session.format must be {_js(FORMAT)}, got {_js(get('format'))}")
    if get("version") != VERSION or isinstance(get("version"), bool):
        raise bad(f"session.version {_js(get('version'))} is not {VERSION}")
    integer("pairs", 1)
    data = get("data")
    if not isinstance(data, str) or len(data) != 8 or any(c not in "0123456789abcdef" for c in data):
        raise bad(f"session.data must be 8 lowercase hex digits, got {_js(data)}")
    integer("batchSize", 1, MAX_BATCH)
    integer("shuffleSeed", 0, _M32)
    if not isinstance(get("bucket"), bool):
        raise bad("session.bucket must be true or false")
    integer("shardSize", 1, MAX_BATCH)
    integer("totalSteps", 1, 10 ** 9)
    number("learningRate", 0, strict=True)
    if get("schedule") not in SCHEDULES:
        raise bad(f"session.schedule must be 'constant', 'cosine' or 'custom', got {_js(get('schedule'))}")
    number("clipNorm", 0)
    integer("step", 0, s["totalSteps"])
    integer("epoch", 0)
    per_epoch = math.ceil(s["pairs"] / s["batchSize"])
    integer("batchInEpoch", 0, per_epoch)
    implied = 0 if s["epoch"] == 0 else (s["epoch"] - 1) * per_epoch + s["batchInEpoch"]
    if (s["epoch"] == 0 and s["batchInEpoch"] != 0) or implied != s["step"]:
        raise bad(f"session.step {s['step']} does not match epoch {s['epoch']} and batchInEpoch {s['batchInEpoch']} "
                  f"with {per_epoch} batches per epoch")
    integer("epochRandom", 0, _M32)
    integer("random", 0, _M32)
    if get("loss") is not None:
        number("loss", 0)
    integer("examples", 0)
    integer("tokens", 0)
    number("elapsedMs", 0)
    if "stream" in s:
        check_stream(s["stream"], bad)
    return s


def check_stream(x, bad):
    """The `stream` field of a streamed run's session (this package's; the JS library passes it
    by): which file, read how, by how many processes."""
    if not isinstance(x, dict):
        raise bad(f"session.stream must be an object, got {_js(x)}")
    f = x.get("file", _MISSING)
    if not isinstance(f, dict):
        raise bad(f"session.stream.file must be an object, got {_js(f)}")
    size, mtime, head = f.get("size", _MISSING), f.get("mtimeNs", _MISSING), f.get("head", _MISSING)
    if not _is_int(size) or size < 1 or size > _MAX_SAFE_INTEGER:
        raise bad(f"session.stream.file.size must be an integer from 1 to {_MAX_SAFE_INTEGER}, got {_js(size)}")
    if not isinstance(mtime, str) or not 0 < len(mtime) <= 24 or not mtime.isdigit() or not mtime.isascii():
        raise bad(f"session.stream.file.mtimeNs must be a string of decimal digits, got {_js(mtime)}")
    if not isinstance(head, str) or len(head) != 64 or any(c not in "0123456789abcdef" for c in head):
        raise bad(f"session.stream.file.head must be 64 lowercase hex digits, got {_js(head)}")
    for name in ("shuffleBuffer", "processes"):
        v = x.get(name, _MISSING)
        if not _is_int(v) or v < 1 or v > _MAX_SAFE_INTEGER:
            raise bad(f"session.stream.{name} must be an integer from 1 to {_MAX_SAFE_INTEGER}, got {_js(v)}")
    f["size"], x["shuffleBuffer"], x["processes"] = int(size), int(x["shuffleBuffer"]), int(x["processes"])
    return x


def draw_epoch(lengths, batch_size, rng, bucket=True):
    """One epoch's batches (lists of example indices) from rng, as lib/session.js draws them: a
    Fisher-Yates shuffle of the indices, with bucketing a stable sort by (source, target) length,
    cut into batches of batch_size, and with bucketing the batches shuffled."""
    order = rng.shuffle(list(range(len(lengths))))
    if bucket:
        order.sort(key=lambda i: lengths[i])
    groups = [order[i: i + batch_size] for i in range(0, len(order), batch_size)]
    if bucket:
        rng.shuffle(groups)
    return groups


def stream_epoch(examples, batch_size, shuffle_buffer, epoch_random, bucket=True):
    """A streamed epoch: the generator state the next epoch starts from, and this epoch's batches
    (lists of examples) as a generator, from `examples` (an iterable of encoded examples, the
    file's training pairs in file order) and the epoch's generator state, exactly
    ceil(pairs / batch_size) of them like an in-memory epoch. The epoch's generator first draws
    the next epoch's state (so it is known from the epoch's start), then each buffer of
    shuffle_buffer examples, with the fewer than batch_size examples left over from the buffer
    before it, is drawn as draw_epoch draws an epoch but for that leftover: with bucketing the
    longest, without the last of the shuffled order; the last buffer keeps nothing back."""
    rng = Random(epoch_random)
    next_random = int(rng.next() * 4294967296)

    def draw(items, last):
        order = rng.shuffle(list(range(len(items))))
        if bucket:
            lengths = [(len(src), len(tgt)) for src, tgt in items]
            order.sort(key=lambda i: lengths[i])
        full = len(order) if last else len(order) - len(order) % batch_size
        groups = [order[i: i + batch_size] for i in range(0, full, batch_size)]
        if bucket:
            rng.shuffle(groups)
        return groups, [items[i] for i in order[full:]]

    def batches():
        left, chunk = [], []
        for example in examples:
            chunk.append(example)
            if len(chunk) == shuffle_buffer:
                items = left + chunk
                groups, left = draw(items, False)
                chunk = []
                for g in groups:
                    yield [items[i] for i in g]
        items = left + chunk
        if items:
            groups, _ = draw(items, True)
            for g in groups:
                yield [items[i] for i in g]

    return next_random, batches()


class Session:
    """The batch order and bookkeeping of lib/session.js's TrainingSession over examples whose
    (source, target) lengths are `lengths` (state["pairs"] of them), from a state (new_state, or
    a checkpoint's)."""

    def __init__(self, state, lengths):
        self._s = dict(state)
        self._lengths = lengths
        self._drawn = None  # (epoch, its batches)
        self.batches_per_epoch = math.ceil(self._s["pairs"] / self._s["batchSize"])

    @property
    def step(self):
        return self._s["step"]

    @property
    def epoch(self):
        return self._s["epoch"]

    @property
    def done(self):
        return self._s["step"] >= self._s["totalSteps"]

    def state(self):
        """The state as lib/session.js's state() gives it (a copy)."""
        return dict(self._s)

    def restore(self, state):
        """Back to a state() taken earlier (a drawn batch that was not trained on)."""
        self._s = dict(state)

    def _start_epoch_if_due(self):
        """The state for the next batch: a new epoch (drawn from `random`) at the start or when one is done."""
        s = self._s
        if s["epoch"] == 0 or s["batchInEpoch"] >= self.batches_per_epoch:
            s["epochRandom"] = s["random"]
            s["epoch"] += 1
            s["batchInEpoch"] = 0
        return s

    def next_batch(self):
        """The example indices of the next step's batch; starts a new epoch when one is done."""
        s = self._start_epoch_if_due()
        if self._drawn is None or self._drawn[0] != (s["epoch"], s["epochRandom"]):
            rng = Random(s["epochRandom"])
            groups = draw_epoch(self._lengths, s["batchSize"], rng, s["bucket"])
            self._drawn = ((s["epoch"], s["epochRandom"]), groups, rng.state())
        s["random"] = self._drawn[2]  # the generator after drawing this epoch: the next one's start
        return self._drawn[1][s["batchInEpoch"]]

    def step_done(self, loss, examples, tokens, elapsed_ms):
        """Bookkeeping after the batch from next_batch was trained on."""
        s = self._s
        s["step"] += 1
        s["batchInEpoch"] += 1
        s["loss"] = loss
        s["examples"] += examples
        s["tokens"] += tokens
        s["elapsedMs"] = elapsed_ms


