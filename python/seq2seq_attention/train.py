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
"""

import argparse
import math
import os
import signal
import sys
import time

import torch
import torch.distributed as dist

from .errors import S2SError, run_command
from .checkpoint import is_checkpoint, read_checkpoint, write_checkpoint
from .model import make_batch
from .optim import CoreAdam
from .rng import Random
from .text import resolve_tokenizer_names
from .translator import TokenizerCounts, Translator, format_metrics
from .tsv import MAX_BYTES, held_out_by_hash, parse_columns, read_pairs, split_pairs

DEFAULTS = {"cell": "gru", "attention": "additive", "embed": 32, "hidden": 64, "attention_size": 64}


def learning_rate_at(schedule, base, step, total):
    if schedule == "cosine":
        return base * 0.5 * (1 + math.cos(math.pi * step / total))
    return base


def epoch_batches(examples, batch_size, rng, bucket=True):
    """One epoch of lib/translator.js's _epochBatches: shuffle, sort by (source, target) length,
    cut into batches, shuffle the batches; the same rng calls, so the same batches as in JS."""
    order = rng.shuffle(list(range(len(examples))))
    if bucket:
        order.sort(key=lambda i: (len(examples[i][0]), len(examples[i][1])))
    groups = [order[i: i + batch_size] for i in range(0, len(order), batch_size)]
    if bucket:
        rng.shuffle(groups)
    for g in groups:
        yield [examples[i] for i in g]


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
    p.add_argument("--data", required=True, help="tab-separated pairs, source<TAB>target per line, UTF-8")
    p.add_argument("--out", help="where to write the model (default: tsv.s2s)")
    p.add_argument("--test-fraction", type=float, default=0.1, help="held-out share of --data (default 0.1)")
    p.add_argument("--columns", default="1,2", help="1-based source and target columns (default 1,2)")
    p.add_argument("--tokenizer", help="char | word | bpe, or SOURCE,TARGET like word,char (default char)")
    p.add_argument("--vocab-size", type=int, help="bpe: vocabulary size per side, 261..65536 (default 2000)")
    p.add_argument("--shared-vocabulary", action="store_true", help="bpe: one vocabulary learned from both sides")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--epochs", type=int, help="passes over the training pairs (default 10)")
    g.add_argument("--steps", type=int, help="train for N batches instead of --epochs")
    p.add_argument("--batch-size", type=int, default=64, help="the global batch, over all processes (default 64)")
    p.add_argument("--learning-rate", type=float, default=3e-3)
    p.add_argument("--schedule", choices=["constant", "cosine"], default="constant")
    p.add_argument("--clip-norm", type=float, default=5.0, help="gradient clipping by global norm, 0 for none (default 5)")
    p.add_argument("--cell", choices=["rnn", "gru", "lstm"])
    p.add_argument("--attention", choices=["additive", "dot", "none"])
    p.add_argument("--no-scale", action="store_true", help="dot attention without the 1/sqrt(A) scale")
    p.add_argument("--embed", type=int)
    p.add_argument("--hidden", type=int)
    p.add_argument("--attention-size", type=int)
    p.add_argument("--seed", type=int, default=1, help="seeds the split, the weights and the shuffling (default 1)")
    p.add_argument("--init", help="start from this model file (its weights, vocabularies and tokenizers; Adam starts afresh) or from a checkpoint (.ckpt: Adam's moments and step too)")
    p.add_argument("--eval-every", type=int, help="evaluate on 200 held-out pairs every N steps")
    p.add_argument("--eval-size", type=int, default=500, help="held-out pairs scored at the end (default 500)")
    p.add_argument("--device", default="cpu", help="cpu | cuda | cuda:N (default cpu)")
    p.add_argument("--stream", action="store_true", help="stream the file even if it is small (see above)")
    p.add_argument("--shuffle-buffer", type=int, default=100000, help="pairs shuffled together when streaming (default 100000)")
    p.add_argument("--threads", type=int, help="torch threads per process (default: torch's)")
    p.add_argument("--checkpoint", action="store_true",
                   help="also write OUT.ckpt: the model and Adam's state, for Translator.loadCheckpoint (Node, the page) or --init")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON line")
    args = p.parse_args(argv)
    for name in ("epochs", "steps", "batch_size", "embed", "hidden", "attention_size", "eval_every", "shuffle_buffer", "threads"):
        v = getattr(args, name)
        if v is not None and v < 1:
            p.error(f"--{name.replace('_', '-')} must be an integer >= 1, got {v}")
    if args.batch_size > 4096:
        p.error("--batch-size must be at most 4096")
    if args.eval_size < 0 or args.seed < 0 or args.seed > 0xFFFFFFFF:
        p.error("--eval-size must be >= 0 and --seed from 0 to 4294967295")
    if not (args.learning_rate > 0 and math.isfinite(args.learning_rate)) or not (args.clip_norm >= 0 and math.isfinite(args.clip_norm)):
        p.error("--learning-rate must be a number > 0 and --clip-norm a number >= 0")
    if not 0 <= args.test_fraction < 1:
        p.error("--test-fraction must be a number from 0 up to but not including 1")
    try:
        args.columns = parse_columns(args.columns)
    except S2SError as e:
        p.error(str(e))
    if args.tokenizer is not None:
        parts = args.tokenizer.split(",")
        try:
            args.tokenizer = resolve_tokenizer_names(parts[0] if len(parts) == 1 else {"source": parts[0], "target": parts[1]})
        except S2SError as e:
            p.error(str(e))
    if (args.vocab_size is not None or args.shared_vocabulary) and "bpe" not in (args.tokenizer or {}).values():
        p.error("--vocab-size and --shared-vocabulary go with --tokenizer bpe")
    if args.init:
        given = [n for n in ("cell", "attention", "embed", "hidden", "attention_size", "tokenizer", "vocab_size") if getattr(args, n) is not None]
        if given or args.no_scale:
            p.error(f"--init takes the architecture and tokenizers from the model file: drop --{', --'.join(x.replace('_', '-') for x in given) or 'no-scale'}")
    return args


class Data:
    """The training pairs (in memory, or a streamed file), the held-out pairs and the batches."""

    def __init__(self, args, world, log):
        self.args = args
        self.stream = args.stream or os.path.getsize(args.data) > MAX_BYTES if os.path.exists(args.data) else False
        if not os.path.exists(args.data):
            raise S2SError(f"cannot read {args.data}: no such file")
        self.translator = None
        self.optimizer_state = None
        if self.stream:
            self._scan()
        else:
            pairs = list(read_pairs(args.data, args.columns))
            if not pairs:
                raise S2SError(f"{args.data}: the pairs file has no pairs: write one source<TAB>target per line")
            self.train, self.test = split_pairs(pairs, args.seed, args.test_fraction)
            self.count = len(self.train)
        if self.count == 0:
            raise S2SError(f"{args.data}: no training pairs are left after holding out {args.test_fraction}: lower --test-fraction")

    def _scan(self):
        """Streaming pass 1: count the training pairs and their symbols, keep a few held-out pairs."""
        a = self.args
        self.counts = None if a.init else TokenizerCounts(self._tokenizer_names(), a.shared_vocabulary, a.vocab_size)
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
        B = self.args.batch_size
        if not self.stream:
            return math.ceil(self.count / B)
        S = self.args.shuffle_buffer
        return (self.count // S) * math.ceil(S / B) + math.ceil((self.count % S) / B)

    def epochs(self, translator, rng):
        """Yields global batches (lists of encoded examples), epoch after epoch, forever."""
        B = self.args.batch_size
        if not self.stream:
            examples = [translator.encode_pair(p, f"training pair {i + 1}") for i, p in enumerate(self.train)]
            while True:
                yield from epoch_batches(examples, B, rng)
        a = self.args
        while True:
            chunk = []
            for s, t in read_pairs(a.data, a.columns):
                if a.test_fraction > 0 and held_out_by_hash(s, a.seed, a.test_fraction):
                    continue
                chunk.append(translator.encode_pair((s, t)))
                if len(chunk) == a.shuffle_buffer:
                    yield from epoch_batches(chunk, B, rng)
                    chunk = []
            if chunk:
                yield from epoch_batches(chunk, B, rng)


def shard(batch, rank, world):
    """This process's rows of a global batch: contiguous, as equal as can be."""
    n = len(batch)
    return batch[(rank * n) // world: ((rank + 1) * n) // world]


def main(argv=None):
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
        return _train(args, world, rank, device, lead, log)
    finally:
        if world > 1 and dist.is_initialized():
            dist.destroy_process_group()


def _train(args, world, rank, device, lead, log):
    started = time.time()
    data = Data(args, world, log)
    translator = data.make_translator()
    model = translator.model.to(device)
    cfg = model.cfg
    out = args.out or "tsv.s2s"
    total = args.steps if args.steps is not None else (args.epochs or 10) * data.batches_per_epoch()
    per_epoch = data.batches_per_epoch()
    held_out = data.test[: args.eval_size]
    log(f"{args.data}: {data.count} training pairs, {len(data.test)} held out{' (streamed)' if data.stream else ''}; "
        f"{cfg['cell']}/{cfg['attention']}, torch {torch.__version__} on {device}"
        f"{f', {world} processes' if world > 1 else ''}, {torch.get_num_threads()} thread(s) each")
    net = model
    if world > 1:
        from torch.nn.parallel import DistributedDataParallel
        net = DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else None)
    opt = CoreAdam(list(model.parameters()), lr=args.learning_rate)
    if data.optimizer_state is not None:  # --init from a checkpoint: Adam goes on where it was
        opt.import_state(data.optimizer_state)
        log(f"Adam state from {args.init}: {opt.steps} steps taken before")
    params = list(model.parameters())
    rng = Random(args.seed)
    batches = data.epochs(translator, rng)
    progress = Progress(enabled=lead)
    stop = {"flag": False}
    if lead:
        signal.signal(signal.SIGINT, lambda *_: stop.__setitem__("flag", True))
    step = 0
    loss = float("nan")
    seen_examples = 0
    t0 = time.time()
    cpu0 = time.process_time()
    stopped = False
    model.train()
    for global_batch in batches:
        if step >= total:
            break
        rate = learning_rate_at(args.schedule, args.learning_rate, step, total)
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
        if stop_now:
            stopped = True
            break
        norm = float(torch.nn.utils.clip_grad_norm_(params, args.clip_norm if args.clip_norm > 0 else float("inf")))
        if not (math.isfinite(batch_loss) and math.isfinite(norm)):
            if lead:
                translator.save(out)
            raise S2SError(f"training diverged at step {step + 1} (the loss or a gradient became NaN/Inf); the weights "
                           f"from before that step are saved in {out}: lower --learning-rate (it was {rate}) or set --clip-norm",
                           "DIVERGED")
        opt.step()
        step += 1
        loss = batch_loss
        seen_examples += len(global_batch)
        ev = None
        if args.eval_every and held_out and (step % args.eval_every == 0 or step == total) and lead:
            model.eval()
            ev = translator.evaluate(held_out[:200])
            model.train()
        elapsed = time.time() - t0
        progress.update(step, total, math.ceil(step / per_epoch), loss, seen_examples / max(elapsed, 1e-9), elapsed, ev)
    train_seconds = time.time() - t0
    cpu_seconds = time.process_time() - cpu0
    if lead:
        translator.model = model.to("cpu")
        saved = translator.save(out)
        if args.checkpoint:
            with open(out + ".ckpt", "wb") as f:
                f.write(write_checkpoint(saved, opt.export_state(), app={"writer": "seq2seq_attention (PyTorch)", "torch": torch.__version__}))
        model.eval()
        lines = [f"trained {step} steps ({step / per_epoch:.2f} epochs) in {format_duration(train_seconds)}"
                 f"{' (stopped early)' if stopped else ''}, final loss {loss:.4f}, {seen_examples / max(train_seconds, 1e-9):.0f} examples/s"
                 f"{f' on {world} processes' if world > 1 else ''}; saved {out}"]
        metrics = translator.evaluate(held_out) if held_out else None
        if metrics:
            lines.append(f"held-out {format_metrics(metrics)}")
        lines.append(f"total time {format_duration(time.time() - started)}")
        if args.json:
            import json
            summary = {"steps": step, "loss": loss, "seconds": train_seconds, "cpu_seconds_rank0": cpu_seconds,
                       "examples_per_second": seen_examples / max(train_seconds, 1e-9),
                       "processes": world, "threads": torch.get_num_threads(), "device": str(device), "out": out}
            if metrics:
                summary["held_out"] = {k: v for k, v in metrics.items() if k != "mistakes"}
            print(json.dumps(summary))
        else:
            print("\n".join(lines))
    return 0


if __name__ == "__main__":
    run_command(main)
