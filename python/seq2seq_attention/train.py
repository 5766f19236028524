"""Training from a TSV file, in one process or many (torchrun, DistributedDataParallel).

    python3 -m seq2seq_attention.train --data pairs.tsv --out model.s2s [options]
    torchrun --nproc_per_node N -m seq2seq_attention.train --data pairs.tsv --out model.s2s [options]

The options are the Node CLI's (`seq2seq-attention train --data ...`), plus --init, --device,
--stream and --threads. --batch-size is the global batch: every process builds the same batches
from the same seed and takes its share of each, and the loss of every process is scaled so that
DDP's averaged gradient is exactly the gradient of the mean loss over the whole batch; one
process and N processes therefore take the same steps.

A file up to 64 MiB (the JS reader's limit) is read whole and split, shuffled and batched exactly
as the Node CLI does (the same held-out pairs, the same batches in the same order). A larger file,
or any file with --stream, is streamed: one pass counts pairs and symbols, then each epoch reads it
again in shuffled buckets of --shuffle-buffer pairs; memory stays flat whatever the file's size.

A run keeps lib/session.js's session state (session.py): --checkpoint-every N and --stop-after N
write OUT.ckpt with it (the JS library's checkpoint format), and --resume OUT.ckpt goes on exactly
where the run stopped (bit-identical weights on the CPU), from a checkpoint this trainer or the JS
library (CLI, page, Translator#checkpoint) wrote. A streamed run's state also names its file, its
buffer and its processes (session.stream); resumed, it reads and shuffles the epoch it stopped in
again up to its batch, without training.
"""

import argparse
import hashlib
import math
import os
import signal
import sys
import threading
import time

import torch
import torch.distributed as dist

from .errors import S2SError, UsageError, run_command
from .checkpoint import is_checkpoint, read_checkpoint, write_checkpoint
from .session import Session, fingerprint, new_state, stream_epoch
from .model import make_batch
from .optim import CoreAdam
from .text import resolve_tokenizer_names
from .translator import TokenizerCounts, Translator, format_metrics
from .tsv import MAX_BYTES, held_out_by_hash, parse_columns, read_pairs, split_pairs

DEFAULTS = {"cell": "gru", "attention": "additive", "embed": 32, "hidden": 64, "attention_size": 64}
# the options that define a run, their defaults, and the session state's field for each
RUN_DEFAULTS = {"batch_size": 64, "learning_rate": 3e-3, "schedule": "constant", "clip_norm": 5.0, "seed": 1,
                "test_fraction": 0.1, "columns": "1,2"}
SESSION_FIELDS = {"batch_size": "batchSize", "seed": "shuffleSeed", "learning_rate": "learningRate",
                  "schedule": "schedule", "clip_norm": "clipNorm"}
WRITER = "seq2seq_attention (PyTorch)"
HEAD_BYTES = 1 << 20  # a streamed run's checkpoint keeps the SHA-256 of its file's first MiB
DEFAULT_SHUFFLE_BUFFER = 100000
PROGRAM = "seq2seq_attention.train"


def learning_rate_at(schedule, base, step, total):
    if schedule == "cosine":
        return base * 0.5 * (1 + math.cos(math.pi * step / total))
    return base


def format_duration(seconds):
    s = max(0, round(seconds))
    h, m = s // 3600, (s % 3600) // 60
    return f"{h}:{m:02d}:{s % 60:02d}" if h else f"{m}:{s % 60:02d}"


class Progress:
    """Progress on stderr: a redrawn bar on a terminal, a plain line every 5% otherwise."""

    def __init__(self, stream=sys.stderr, enabled=True):
        self.stream, self.enabled = stream, enabled
        self.tty = stream.isatty()
        self.last_plain = -1
        self.last_draw = 0.0

    def update(self, step, total, epoch, loss, ex_per_s, elapsed, ev=None):
        if not self.enabled:
            return
        frac = step / total
        eta = elapsed / frac * (1 - frac) if frac > 0 else 0
        ev_text = f" exact {100 * ev['exact_match']:.1f}%" if ev else ""
        stats = f"step {step}/{total} epoch {epoch} loss {loss:.4f} {round(ex_per_s)} ex/s"
        if self.tty:
            now = time.monotonic()
            if now - self.last_draw < 0.1 and step != total and not ev:
                return
            self.last_draw = now
            filled = round(frac * 24)
            self.stream.write(f"\r\x1b[K{'█' * filled}{'░' * (24 - filled)} {100 * frac:3.0f}% {stats} ETA {format_duration(eta)}{ev_text}")
            if step == total:
                self.stream.write("\n")
        else:
            bucket = math.floor(frac * 20)
            if bucket == self.last_plain and not ev:
                return
            self.last_plain = bucket
            self.stream.write(f"{stats} elapsed {format_duration(elapsed)} eta {format_duration(eta)}{ev_text}\n")
        self.stream.flush()


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python3 -m seq2seq_attention.train",
                                description="Train a seq2seq-attention model on tab-separated pairs (one process or torchrun).")
    p.add_argument("--data", help="tab-separated pairs, source<TAB>target per line, UTF-8 (with --resume: the checkpoint's)")
    p.add_argument("--out", help="where to write the model (default: tsv.s2s)")
    p.add_argument("--test-fraction", type=float, help="held-out share of --data (default 0.1)")
    p.add_argument("--columns", help="1-based source and target columns (default 1,2)")
    p.add_argument("--tokenizer", help="char | word | bpe, or SOURCE,TARGET like word,char (default char)")
    p.add_argument("--vocab-size", type=int, help="bpe: vocabulary size per side, 261..65536 (default 2000)")
    p.add_argument("--shared-vocabulary", action="store_true", help="bpe: one vocabulary learned from both sides")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--epochs", type=int, help="passes over the training pairs (default 10)")
    g.add_argument("--steps", type=int, help="train for N batches instead of --epochs")
    p.add_argument("--batch-size", type=int, help="the global batch, over all processes (default 64)")
    p.add_argument("--learning-rate", type=float, help="(default 0.003)")
    p.add_argument("--schedule", choices=["constant", "cosine"], help="(default constant)")
    p.add_argument("--clip-norm", type=float, help="gradient clipping by global norm, 0 for none (default 5)")
    p.add_argument("--cell", choices=["rnn", "gru", "lstm"])
    p.add_argument("--attention", choices=["additive", "dot", "none"])
    p.add_argument("--no-scale", action="store_true", help="dot attention without the 1/sqrt(A) scale")
    p.add_argument("--embed", type=int)
    p.add_argument("--hidden", type=int)
    p.add_argument("--attention-size", type=int)
    p.add_argument("--seed", type=int, help="seeds the split, the weights and the shuffling (default 1)")
    p.add_argument("--init", help="start from this model file (its weights, vocabularies and tokenizers; Adam starts afresh) or from a checkpoint (.ckpt: Adam's moments and step too)")
    p.add_argument("--eval-every", type=int, help="evaluate on 200 held-out pairs every N steps")
    p.add_argument("--eval-size", type=int, default=500, help="held-out pairs scored at the end (default 500)")
    p.add_argument("--device", default="cpu", help="cpu | cuda | cuda:N (default cpu)")
    p.add_argument("--stream", action="store_true", help="stream the file even if it is small (see above)")
    p.add_argument("--shuffle-buffer", type=int, help="pairs shuffled together when streaming (default 100000)")
    p.add_argument("--threads", type=int, help="torch threads per process (default: torch's)")
    p.add_argument("--checkpoint", action="store_true",
                   help="also write OUT.ckpt at the end: the model, Adam's state and the run's state, for Translator.loadCheckpoint (Node, the page), --init or --resume")
    p.add_argument("--checkpoint-every", type=int,
                   help="write OUT.ckpt every N steps (and when stopped): --resume OUT.ckpt goes on exactly from there")
    p.add_argument("--stop-after", type=int,
                   help="stop after N steps of this invocation and write OUT.ckpt (for jobs with a time limit: run again with --resume)")
    p.add_argument("--resume", help="continue the run OUT.ckpt holds (written by --checkpoint-every, --stop-after or the JS library): "
                                    "its model, Adam's state, data order and options; the same data is needed")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON line")
    args = p.parse_args(argv)
    for name in ("epochs", "steps", "batch_size", "embed", "hidden", "attention_size", "eval_every", "shuffle_buffer", "threads",
                 "checkpoint_every", "stop_after"):
        v = getattr(args, name)
        if v is not None and v < 1:
            p.error(f"--{name.replace('_', '-')} must be an integer >= 1, got {v}")
    if args.batch_size is not None and args.batch_size > 4096:
        p.error("--batch-size must be at most 4096")
    if args.eval_size < 0 or (args.seed is not None and (args.seed < 0 or args.seed > 0xFFFFFFFF)):
        p.error("--eval-size must be >= 0 and --seed from 0 to 4294967295")
    if (args.learning_rate is not None and not (args.learning_rate > 0 and math.isfinite(args.learning_rate))) or \
            (args.clip_norm is not None and not (args.clip_norm >= 0 and math.isfinite(args.clip_norm))):
        p.error("--learning-rate must be a number > 0 and --clip-norm a number >= 0")
    if args.test_fraction is not None and not 0 <= args.test_fraction < 1:
        p.error("--test-fraction must be a number from 0 up to but not including 1")
    if args.columns is not None:
        try:
            parse_columns(args.columns)
        except S2SError as e:
            p.error(str(e))
    if args.data is None and args.resume is None:
        p.error("--data is required (or --resume a checkpoint that names it)")
    if args.resume and args.init:
        p.error("--resume continues a run, --init starts a new one from a model or checkpoint: give one of them")
    if args.tokenizer is not None:
        parts = args.tokenizer.split(",")
        try:
            args.tokenizer = resolve_tokenizer_names(parts[0] if len(parts) == 1 else {"source": parts[0], "target": parts[1]})
        except S2SError as e:
            p.error(str(e))
    if (args.vocab_size is not None or args.shared_vocabulary) and "bpe" not in (args.tokenizer or {}).values():
        p.error("--vocab-size and --shared-vocabulary go with --tokenizer bpe")
    if args.init or args.resume:
        given = [n for n in ("cell", "attention", "embed", "hidden", "attention_size", "tokenizer", "vocab_size") if getattr(args, n) is not None]
        if given or args.no_scale or args.shared_vocabulary:
            which = "--init" if args.init else "--resume"
            p.error(f"{which} takes the architecture and tokenizers from the model file: drop --{', --'.join(x.replace('_', '-') for x in given) or ('no-scale' if args.no_scale else 'shared-vocabulary')}")
    return args


def fill_run_options(args, app=None):
    """The run options not given: from a resumed checkpoint's app.options (the CLI's and this
    trainer's: option names, values as strings), else the defaults; --columns becomes 0-based."""
    stored = (app or {}).get("options") or {}
    if not isinstance(stored, dict):
        stored = {}
    if args.data is None:
        if not isinstance(stored.get("data"), str):
            raise UsageError("--resume: the checkpoint does not name its pairs file: give --data with the run's pairs")
        args.data = stored["data"]
    kinds = {"batch_size": int, "learning_rate": float, "clip_norm": float, "seed": int, "test_fraction": float,
             "schedule": str, "columns": str}
    for name, default in RUN_DEFAULTS.items():
        if getattr(args, name) is None:
            text = stored.get(name.replace("_", "-"))
            try:
                setattr(args, name, kinds[name](text) if isinstance(text, str) else default)
            except ValueError:
                setattr(args, name, default)
    args.columns = parse_columns(args.columns) if isinstance(args.columns, str) else args.columns
    if args.shuffle_buffer is None:
        args.shuffle_buffer = DEFAULT_SHUFFLE_BUFFER


def resume_checkpoint(args):
    """--resume: the checkpoint read and checked as one to go on from, and the options filled
    from it. An option given must be the run's (the session state's, or for --columns and
    --test-fraction the writer's app.options): else a UsageError naming it."""
    try:
        with open(args.resume, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise S2SError(f"cannot resume: {args.resume} does not exist (train with --checkpoint-every N or --stop-after N to write one)") from None
    try:
        ckpt = read_checkpoint(raw)
    except S2SError as e:
        raise S2SError(f"{args.resume}: {e}", e.code) from None
    session, app = ckpt["state"]["session"], ckpt["state"]["app"]
    if session is None:
        raise S2SError(f"{args.resume}: this checkpoint holds no training run (its session is null: it was taken between runs, "
                       "or written by an older version of this package, which kept no data position), so it cannot be resumed "
                       "exactly: use --init to train on from its weights and Adam's state (the data order starts afresh)")
    if session["schedule"] == "custom":
        raise S2SError(f"{args.resume}: the run used a custom learning-rate schedule (a JavaScript function): "
                       "this trainer has only constant and cosine, so it cannot resume it")
    for name, field in SESSION_FIELDS.items():
        given = getattr(args, name)
        if given is not None and given != session[field]:
            flag = "--" + name.replace("_", "-")
            raise UsageError(f"--resume: the run has {flag} {_text(session[field])}, not {flag} {_text(given)}: leave the option "
                             "out (the checkpoint has the run's options) or start a new run without --resume")
        setattr(args, name, session[field])
    stream = session.get("stream")
    if stream is not None:  # a streamed run's: streamed again, with its buffer
        if args.shuffle_buffer is not None and args.shuffle_buffer != stream["shuffleBuffer"]:
            raise UsageError(f"--resume: the run has --shuffle-buffer {stream['shuffleBuffer']}, not --shuffle-buffer "
                             f"{args.shuffle_buffer}: leave the option out or start a new run without --resume")
        args.shuffle_buffer, args.stream = stream["shuffleBuffer"], True
    elif args.stream or args.shuffle_buffer is not None:
        raise UsageError(f"--resume: the run read its file whole (in memory), so it resumes so: drop "
                         f"{'--stream' if args.stream else '--shuffle-buffer'}")
    stored = (app or {}).get("options") if isinstance((app or {}).get("options"), dict) else {}
    for name in ("test_fraction", "columns"):  # (--data may name a moved file: its pairs' fingerprint is checked)
        flag = name.replace("_", "-")
        given, before = getattr(args, name), stored.get(flag)
        if given is None or not isinstance(before, str):
            continue
        try:
            same = parse_columns(before) == parse_columns(given) if name == "columns" else float(before) == given
        except (S2SError, ValueError):
            same = False
        if not same:
            raise UsageError(f"--resume: the run has --{flag} {before}, not --{flag} {given}: leave the option out "
                             "or start a new run without --resume")
    if args.checkpoint_every is None and isinstance((app or {}).get("checkpointEvery"), (int, str)):
        try:
            args.checkpoint_every = max(1, int(app["checkpointEvery"]))
        except ValueError:
            pass
    if args.out is None and isinstance((app or {}).get("out"), str):
        args.out = app["out"]
    fill_run_options(args, app)
    return ckpt


def file_identity(path):
    """What a streamed run's checkpoint keeps of its file (session.stream.file): its size, its
    modification time in ns (a decimal string: more digits than a JSON number holds exactly) and
    the SHA-256 of its first MiB."""
    st = os.stat(path)
    with open(path, "rb") as f:
        head = hashlib.sha256(f.read(HEAD_BYTES)).hexdigest()
    return {"size": st.st_size, "mtimeNs": str(st.st_mtime_ns), "head": head}


def check_stream_resume(state, path, file, world):
    """A streamed run's --resume, before the file is read: the file and the number of processes
    must be the run's (the buffer, batch size, seed and length are checked with the options)."""
    stream = state["stream"]
    differs = []
    before, now = stream["file"], file
    if before["size"] != now["size"]:
        differs.append(f"its size is {now['size']} bytes, the run's file had {before['size']}")
    if before["mtimeNs"] != now["mtimeNs"]:
        differs.append(f"its modification time is {_mtime(now['mtimeNs'])}, the run's file's was {_mtime(before['mtimeNs'])}")
    if before["head"] != now["head"]:
        differs.append(f"its first MiB has SHA-256 {now['head'][:16]}..., the run's file's had {before['head'][:16]}...")
    if differs:
        raise S2SError(f"--resume: {path} is not the file the run streamed ({'; '.join(differs)}): a streamed run resumes "
                       "only on the same file, unchanged (or start a new run from the checkpoint with --init)")
    if world != stream["processes"]:
        raise S2SError(f"--resume: the run had {stream['processes']} process(es), this one has {world}: a streamed run resumes "
                       f"exactly only with the same number (torchrun --nproc_per_node {stream['processes']})")


def _mtime(ns):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(ns) // 10 ** 9)) + f".{int(ns) % 10 ** 9:09d} UTC"


def _text(x):
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


class Data:
    """The training pairs (in memory, or a streamed file), the held-out pairs and the batches."""

    def __init__(self, args, world, log, resumed=None):
        """resumed: the session state of a run being resumed, or None."""
        self.args = args
        self.stream = Data.streams(args)
        self.translator = None
        self.optimizer_state = None
        if self.stream:
            self.file = file_identity(args.data)
            if resumed is not None and "stream" not in resumed:
                raise S2SError(f"--resume: the run read its file whole (in memory), and {args.data} is now over 64 MiB, so it "
                               "would be streamed: give the run's file")
            if resumed is not None:
                check_stream_resume(resumed, args.data, self.file, world)
            self._scan()
            if resumed is not None and resumed["pairs"] != self.count:
                raise S2SError(f"--resume: the run streamed {resumed['pairs']} training pairs from {args.data}, this reading "
                               f"finds {self.count}: give the same --columns, --test-fraction and --seed")
        else:
            pairs = list(read_pairs(args.data, args.columns))
            if not pairs:
                raise S2SError(f"{args.data}: the pairs file has no pairs: write one source<TAB>target per line")
            self.train, self.test = split_pairs(pairs, args.seed, args.test_fraction)
            self.count = len(self.train)
        if self.count == 0:
            raise S2SError(f"{args.data}: no training pairs are left after holding out {args.test_fraction}: lower --test-fraction")

    @staticmethod
    def streams(args):
        """Whether the file is streamed (over 64 MiB, or --stream) rather than read whole."""
        if not os.path.exists(args.data):
            raise S2SError(f"cannot read {args.data}: no such file")
        return args.stream or os.path.getsize(args.data) > MAX_BYTES

    def _scan(self):
        """Streaming pass 1: count the training pairs and their symbols, keep a few held-out pairs."""
        a = self.args
        self.counts = None if a.init or a.resume else TokenizerCounts(self._tokenizer_names(), a.shared_vocabulary, a.vocab_size)
        self.test, self.count = [], 0
        for s, t in read_pairs(a.data, a.columns):
            if a.test_fraction > 0 and held_out_by_hash(s, a.seed, a.test_fraction):
                if len(self.test) < max(a.eval_size, 200):
                    self.test.append((s, t))
                continue
            self.count += 1
            if self.counts is not None:
                self.counts.add(s, t)

    def _tokenizer_names(self):
        return self.args.tokenizer or {"source": "char", "target": "char"}

    def make_translator(self):
        a = self.args
        if a.init:
            try:
                with open(a.init, "rb") as f:
                    raw = f.read()
            except FileNotFoundError:
                raise S2SError(f"cannot read --init {a.init}: no such file") from None
            if is_checkpoint(raw):
                ckpt = read_checkpoint(raw)
                t = Translator.load(ckpt["model"])
                self.optimizer_state = ckpt["optimizer"]
                return t
            return Translator.load(raw)
        opts = {k: getattr(a, k) if getattr(a, k) is not None else v for k, v in DEFAULTS.items()}
        kwargs = dict(tokenizer=self._tokenizer_names(), scale=not a.no_scale, seed=a.seed, info={"data": a.data},
                      vocab_size=a.vocab_size, shared_vocabulary=a.shared_vocabulary, **opts)
        if self.stream:
            return Translator.create(None, counts=self.counts, **kwargs)
        return Translator.create(self.train, **kwargs)

    def batches_per_epoch(self):
        return math.ceil(self.count / self.args.batch_size)  # streamed too (session.stream_epoch)

    def examples(self, translator):
        """A streamed file's training pairs, encoded, in file order (one pass over the file)."""
        a = self.args
        for s, t in read_pairs(a.data, a.columns):
            if a.test_fraction > 0 and held_out_by_hash(s, a.seed, a.test_fraction):
                continue
            yield translator.encode_pair((s, t))


def shard(batch, rank, world):
    """This process's rows of a global batch: contiguous, as equal as can be."""
    n = len(batch)
    return batch[(rank * n) // world: ((rank + 1) * n) // world]


def main(argv=None, observe=None):
    """The command. observe(step, batch), if given, is told each step's batch (indices into the
    training pairs; a streamed run's: the encoded pairs): the tests compare the batch order with
    the JS library's."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    try:
        device = torch.device(args.device)
    except RuntimeError:
        raise S2SError(f"--device {args.device!r} is not a device: use cpu, cuda or cuda:N") from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise S2SError("--device cuda: this PyTorch sees no CUDA device; use --device cpu")
        if device.index is None:
            device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    if args.threads:
        torch.set_num_threads(args.threads)
    if world > 1:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    lead = rank == 0
    log = (lambda msg: (sys.stderr.write(msg + "\n"), sys.stderr.flush())) if lead else (lambda msg: None)
    try:
        return _train(args, world, rank, device, lead, log, observe)
    finally:
        if world > 1 and dist.is_initialized():
            dist.destroy_process_group()


class StreamedBatches(Session):
    """A streamed run's batches (lists of encoded examples) from its session state: the state of
    an in-memory run, plus `stream` (the file, the buffer, the processes), with each epoch drawn
    by session.stream_epoch as the file is read. Resumed mid-epoch, it reads and shuffles the
    epoch again from its start up to the batch it stopped at, without training (`replay`)."""

    def __init__(self, state, data, translator, log):
        super().__init__(state, None)
        self.total = state["totalSteps"]
        self._data, self._translator, self._log = data, translator, log
        self._batches, self._at = None, None  # the epoch's batches, and (epoch, its generator state, batches drawn)
        self.replay_seconds = 0.0  # not training time: the rates leave it out

    def next_batch(self):
        s = self._start_epoch_if_due()
        if self._at != (s["epoch"], s["epochRandom"], s["batchInEpoch"]):
            s["random"], self._batches = stream_epoch(self._data.examples(self._translator), s["batchSize"],
                                                      s["stream"]["shuffleBuffer"], s["epochRandom"], s["bucket"])
            self._replay(s["batchInEpoch"])
        batch = self._next()
        self._at = (s["epoch"], s["epochRandom"], s["batchInEpoch"] + 1)
        return batch

    def _next(self):
        try:
            return next(self._batches)
        except StopIteration:
            raise S2SError(f"{self._data.args.data} ended before batch {self._s['batchInEpoch'] + 1} of epoch {self._s['epoch']} "
                           f"({self.batches_per_epoch} expected): was the file changed during the run?") from None

    def _replay(self, n):
        """The epoch's first n batches read and shuffled again, not trained on (a resumed run)."""
        if n == 0:
            return
        s, t0 = self._s, time.monotonic()
        self._log(f"resuming a streamed run: reading {self._data.args.data} again up to batch {n} of epoch {s['epoch']} "
                  f"({n} of {self.batches_per_epoch} batches; reading and shuffling only, no training)")
        shown = t0
        for i in range(n):
            self._next()
            if time.monotonic() - shown >= 30:
                shown = time.monotonic()
                self._log(f"  replayed {i + 1} of {n} batches ({100 * (i + 1) / n:.0f}%), {format_duration(shown - t0)}")
        self.replay_seconds += time.monotonic() - t0
        self._log(f"replayed {n} batches in {time.monotonic() - t0:.1f} s")


class SessionBatches(Session):
    """An in-memory run's batches from its session state (session.py): next_batch gives the
    example indices, examples_of the encoded examples."""

    replay_seconds = 0.0  # (a streamed run's resume reads before it trains; these runs do not)

    def __init__(self, state, examples):
        super().__init__(state, [(len(src), len(tgt)) for src, tgt in examples])
        self.examples = examples
        self.total = state["totalSteps"]


def _signals(stop):
    """Ctrl+C (SIGINT) and SIGTERM (torchrun, batch schedulers) set stop["flag"]; returns an undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    before = {sig: signal.signal(sig, lambda *_: stop.__setitem__("flag", True)) for sig in (signal.SIGINT, signal.SIGTERM)}
    return lambda: [signal.signal(sig, handler) for sig, handler in before.items()]


def _write_atomic(path, data):
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _train(args, world, rank, device, lead, log, observe=None):
    started = time.time()
    resumed = resume_checkpoint(args) if args.resume else None
    if resumed is None:
        fill_run_options(args)
    data = Data(args, world, log, resumed["state"]["session"] if resumed is not None else None)
    if resumed is not None:
        translator = Translator.load(resumed["model"])
        data.optimizer_state = resumed["optimizer"]
    else:
        translator = data.make_translator()
    model = translator.model.to(device)
    cfg = model.cfg
    out = args.out or "tsv.s2s"
    ckpt_path = out + ".ckpt"
    per_epoch = data.batches_per_epoch()
    total = args.steps if args.steps is not None else (args.epochs or 10) * per_epoch
    state = resumed["state"]["session"] if resumed is not None else None
    if state is not None and (args.steps is not None or args.epochs is not None) and total != state["totalSteps"]:
        flag = f"--steps {args.steps}" if args.steps is not None else f"--epochs {args.epochs} ({total} steps)"
        raise UsageError(f"--resume: the run has {state['totalSteps']} steps in all, not {flag}: leave the option out "
                         "or start a new run without --resume")
    if data.stream:
        if state is None:
            # `data` is here the file's (its first MiB's SHA-256), not the pairs' fingerprint; the JS
            # library, which would draw other batches, refuses to resume a state with `stream`
            state = new_state(data.count, data.file["head"][:8], args.batch_size, args.seed, total, args.learning_rate,
                              args.schedule, args.clip_norm)
            state["stream"] = {"file": data.file, "shuffleBuffer": args.shuffle_buffer, "processes": world}
        batches = StreamedBatches(state, data, translator, log)
    else:
        examples = [translator.encode_pair(p, f"training pair {i + 1}") for i, p in enumerate(data.train)]
        keeps_state = args.resume or args.checkpoint or args.checkpoint_every or args.stop_after
        data_print = fingerprint(data.train) if keeps_state else "00000000"
        if resumed is not None:
            if state["pairs"] != len(data.train) or state["data"] != data_print:
                raise S2SError(f"--resume: the run was on other pairs ({state['pairs']} pairs, fingerprint {state['data']}; "
                               f"these are {len(data.train)}, {data_print}): give the same --data, --columns, --test-fraction and --seed")
        else:
            state = new_state(len(data.train), data_print, args.batch_size, args.seed, total, args.learning_rate,
                              args.schedule, args.clip_norm)
        batches = SessionBatches(state, examples)
    total = batches.total
    held_out = data.test[: args.eval_size]
    log(f"{args.data}: {data.count} training pairs, {len(data.test)} held out{' (streamed)' if data.stream else ''}; "
        f"{cfg['cell']}/{cfg['attention']}, torch {torch.__version__} on {device}"
        f"{f', {world} processes' if world > 1 else ''}, {torch.get_num_threads()} thread(s) each"
        f"{f'; resuming at step {batches.step} of {total} from {args.resume}' if resumed is not None else ''}")
    net = model
    if world > 1:
        from torch.nn.parallel import DistributedDataParallel
        net = DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else None)
    opt = CoreAdam(list(model.parameters()), lr=args.learning_rate)
    if data.optimizer_state is not None:  # a checkpoint: Adam goes on where it was
        opt.import_state(data.optimizer_state)
        log(f"Adam state from {args.resume or args.init}: {opt.steps} steps taken before")
        if args.init:
            log(f"--init starts a new run from its weights and Adam's state; --resume {args.init} would continue its run exactly")
    params = list(model.parameters())
    app = {"writer": WRITER, "torch": torch.__version__, "program": PROGRAM, "out": out,
           "checkpointEvery": args.checkpoint_every,
           "options": {"data": args.data, "test-fraction": repr(args.test_fraction),
                       "columns": f"{args.columns[0] + 1},{args.columns[1] + 1}", "seed": str(args.seed)}}

    def write_ckpt():
        saved = translator.save()  # the weights copied to the CPU, wherever the model is
        _write_atomic(ckpt_path, write_checkpoint(saved, opt.export_state(), session=batches.state(), app=app))
        return saved

    progress = Progress(enabled=lead)
    stop = {"flag": False}
    undo_signals = _signals(stop)
    loss = float("nan")
    seen_examples = 0
    run_steps = 0
    elapsed_before = (batches.state() or {}).get("elapsedMs", 0)
    t0 = time.time()
    cpu0 = time.process_time()
    stopped = False
    checkpointed = None
    model.train()
    try:
        while not batches.done:
            if args.stop_after and run_steps >= args.stop_after:
                stopped = True
                break
            before = batches.state()
            drawn = batches.next_batch()
            global_batch = [batches.examples[i] for i in drawn] if not data.stream else drawn
            rate = learning_rate_at(args.schedule, args.learning_rate, batches.step, total)
            for group in opt.param_groups:
                group["lr"] = rate
            count = sum(len(t) + 1 for _, t in global_batch)  # non-PAD targets of the whole batch
            mine = shard(global_batch, rank, world) if world > 1 else global_batch
            weight = 1.0
            if not mine:  # fewer rows than processes: take part with a row that counts for nothing
                mine, weight = global_batch[:1], 0.0
            b = make_batch(mine, device)
            opt.zero_grad(set_to_none=False)
            loss_sum, _ = net(b["src"], b["src_len"], b["tgt_in"], b["tgt_out"])
            # DDP averages gradients over the processes: scale so the average is d(mean loss)
            (loss_sum * (weight * world / count)).backward()
            if world > 1:
                shared = torch.tensor([float(loss_sum) * weight, 1.0 if stop["flag"] else 0.0], dtype=torch.float64)
                dist.all_reduce(shared)
                batch_loss, stop_now = float(shared[0]) / count, shared[1] > 0
            else:
                batch_loss, stop_now = float(loss_sum) / count, stop["flag"]
            if stop_now:  # this batch is not trained on: the state goes back to before it was drawn
                batches.restore(before)
                stopped = True
                break
            norm = float(torch.nn.utils.clip_grad_norm_(params, args.clip_norm if args.clip_norm > 0 else float("inf")))
            if not (math.isfinite(batch_loss) and math.isfinite(norm)):
                if lead:
                    translator.model = model.to("cpu")
                    translator.save(out)
                raise S2SError(f"training diverged at step {batches.step + 1} (the loss or a gradient became NaN/Inf); the weights "
                               f"from before that step are saved in {out}: lower --learning-rate (it was {rate}) or set --clip-norm",
                               "DIVERGED")
            opt.step()
            tokens = sum(len(src) + len(tgt) + 1 for src, tgt in global_batch)
            batches.step_done(batch_loss, len(global_batch), tokens, elapsed_before + (time.time() - t0) * 1000)
            run_steps += 1
            loss = batch_loss
            seen_examples += len(global_batch)
            if observe is not None:
                observe(batches.step, list(drawn))
            if lead and args.checkpoint_every and batches.step % args.checkpoint_every == 0 and not batches.done:
                write_ckpt()
                checkpointed = batches.step
            ev = None
            step = batches.step
            if args.eval_every and held_out and (step % args.eval_every == 0 or step == total) and lead:
                model.eval()
                ev = translator.evaluate(held_out[:200])
                model.train()
            elapsed = time.time() - t0 - batches.replay_seconds
            progress.update(step, total, batches.epoch, loss, seen_examples / max(elapsed, 1e-9), elapsed, ev)
    finally:
        undo_signals()
    step = batches.step
    train_seconds = time.time() - t0 - batches.replay_seconds
    cpu_seconds = time.process_time() - cpu0
    if lead:
        translator.model = model.to("cpu")
        saved = translator.save(out)
        keep = args.checkpoint or (stopped and (args.checkpoint_every or args.stop_after))
        if keep and checkpointed != step:
            _write_atomic(ckpt_path, write_checkpoint(saved, opt.export_state(), session=batches.state(), app=app))
            checkpointed = step
        model.eval()
        lines = [f"trained {step} steps ({step / per_epoch:.2f} epochs) in {format_duration(train_seconds)}"
                 f"{' (stopped early)' if stopped else ''}, final loss {loss:.4f}, {seen_examples / max(train_seconds, 1e-9):.0f} examples/s"
                 f"{f' on {world} processes' if world > 1 else ''}; saved {out}"]
        if stopped and checkpointed == step:
            lines.append(f"checkpoint {ckpt_path} at step {step}: continue with --resume {ckpt_path}")
        metrics = translator.evaluate(held_out) if held_out else None
        if metrics:
            lines.append(f"held-out {format_metrics(metrics)}")
        lines.append(f"total time {format_duration(time.time() - started)}")
        if args.json:
            import json
            summary = {"steps": step, "loss": loss, "seconds": train_seconds, "cpu_seconds_rank0": cpu_seconds,
                       "examples_per_second": seen_examples / max(train_seconds, 1e-9),
                       "processes": world, "threads": torch.get_num_threads(), "device": str(device), "out": out,
                       "stopped": stopped, "checkpoint": ckpt_path if checkpointed == step else None}
            if metrics:
                summary["held_out"] = {k: v for k, v in metrics.items() if k != "mistakes"}
            print(json.dumps(summary))
        else:
            print("\n".join(lines))
    return 0


if __name__ == "__main__":
    run_command(main)
