"""Exact resume of a streamed run (--stream; a file over 64 MiB is the same code): a run stopped at
step k (mid-epoch, at an epoch's end, just after it, in the epoch after; by --stop-after, by
SIGTERM) and resumed, replaying the epoch's reading and shuffling up to its batch, ends with the
model and checkpoint of the run that never stopped, byte for byte; a streamed epoch has the
batches of an in-memory one; a resume on another file (size, modification time, first MiB), with
another --shuffle-buffer, batch size or process count, or from a damaged session is refused,
naming what differs. (torchrun: test_distributed.py.)"""

import os
import shutil
import signal

import pytest

from conftest import checkpoint_parts, run_train as run
from seq2seq_attention.checkpoint import read_checkpoint, write_checkpoint
from seq2seq_attention.errors import S2SError, UsageError
from seq2seq_attention.session import stream_epoch
from seq2seq_attention.train import main as train_main

# 40-pair buffers in batches of 16: a buffer leaves 8 pairs over for the next one (or none, after 8 left over)
STREAM = ["--stream", "--shuffle-buffer", "40", "--batch-size", "16", "--embed", "8", "--hidden", "16", "--attention-size", "16",
          "--eval-size", "0", "--threads", "1", "--learning-rate", "0.01", "--schedule", "cosine", "--seed", "5"]
TOTAL = 20
RESUME = ["--threads", "1", "--eval-size", "0"]


def ckpt_of(out):
    return out.with_name(out.name + ".ckpt")


def session_of(path):
    return read_checkpoint(path.read_bytes())["state"]["session"]


@pytest.fixture(scope="module")
def straight(small_tsv, tmp_path_factory):
    """The run that never stops, and its batches per epoch."""
    out = tmp_path_factory.mktemp("straight") / "straight.s2s"
    run("--data", small_tsv, "--out", out, "--steps", TOTAL, "--checkpoint", *STREAM)
    s = session_of(ckpt_of(out))
    per_epoch = -(-s["pairs"] // 16)
    assert s["step"] == TOTAL and s["stream"]["shuffleBuffer"] == 40 and s["stream"]["processes"] == 1
    assert s["pairs"] % 40 > 0 and s["pairs"] % 16 > 0 and 2 * per_epoch < TOTAL, "the run has the cases the tests need"
    return out, per_epoch


def test_a_streamed_epoch_has_the_batches_of_an_in_memory_one():
    examples = [((1,) * (1 + i % 7), (2,) * (1 + i % 5)) for i in range(203)]
    for buffer, batch in ((40, 16), (48, 16), (7, 16), (500, 16), (1, 1)):
        next_random, batches = stream_epoch(iter(examples), batch, buffer, 99)
        got = list(batches)
        assert len(got) == -(-203 // batch), (buffer, batch)
        assert sorted(len(b) for b in got)[1:] == [batch] * (len(got) - 1), "one short batch at most, as in memory"
        assert sorted(x for b in got for x in b) == sorted(examples)
        again = stream_epoch(iter(examples), batch, buffer, 99)
        assert again[0] == next_random and list(again[1]) == got, "a pure function of the generator state and the pairs"
    assert list(stream_epoch(iter(examples), 16, 40, 100)[1]) != got


def test_a_streamed_run_stopped_and_resumed_is_bit_identical(small_tsv, straight, tmp_path):
    ref, per_epoch = straight
    # mid-epoch, the end of epoch 1, just after it, mid-epoch 2, the end of epoch 2 and mid-epoch 3
    for stops in ([3], [per_epoch, per_epoch + 1], [per_epoch + 4, 2 * per_epoch, 2 * per_epoch + 2]):
        out = tmp_path / f"chain-{'-'.join(map(str, stops))}.s2s"
        done = 0
        for k in stops:
            first = ["--data", small_tsv, "--steps", TOTAL, *STREAM] if not done else ["--resume", ckpt_of(out), *RESUME]
            run(*first, "--out", out, "--stop-after", k - done)
            s = session_of(ckpt_of(out))
            assert (s["step"], s["epoch"], s["batchInEpoch"]) == (k, (k - 1) // per_epoch + 1, (k - 1) % per_epoch + 1)
            done = k
        run("--resume", ckpt_of(out), "--out", out, *RESUME, "--checkpoint")
        assert out.read_bytes() == ref.read_bytes(), f"stopped at {stops} and resumed: other weights"
        assert checkpoint_parts(ckpt_of(out)) == checkpoint_parts(ckpt_of(ref))
    # the check can fail: resuming at batch 0 of the epoch instead of replaying up to batch 3 ends elsewhere
    out = tmp_path / "chain-3.s2s"
    shutil.copy(ckpt_of(out), tmp_path / "at3.ckpt")
    ck = read_checkpoint((tmp_path / "at3.ckpt").read_bytes())
    wrong = dict(ck["state"]["session"], step=0, epoch=0, batchInEpoch=0)
    (tmp_path / "wrong.ckpt").write_bytes(write_checkpoint(ck["model"], ck["optimizer"], session=wrong, app=ck["state"]["app"]))
    run("--resume", tmp_path / "wrong.ckpt", "--out", tmp_path / "wrong.s2s", *RESUME, "--steps", TOTAL)
    assert (tmp_path / "wrong.s2s").read_bytes() != ref.read_bytes()


def test_sigterm_at_an_epochs_end_puts_the_drawn_batch_back(small_tsv, straight, tmp_path):
    """SIGTERM after the epoch's last step: the next epoch is started (its generator drawn) and its
    first batch read, but not trained on; the checkpoint is the state after the step."""
    ref, per_epoch = straight
    out = tmp_path / "term.s2s"
    seen = {}

    def observe(step, batch):
        seen[step] = batch
        if step == per_epoch:
            os.kill(os.getpid(), signal.SIGTERM)

    run("--data", small_tsv, "--out", out, "--steps", TOTAL, "--checkpoint-every", 100, *STREAM, observe=observe)
    s = session_of(ckpt_of(out))
    assert (s["step"], s["epoch"], s["batchInEpoch"]) == (per_epoch, 1, per_epoch)
    resumed = {}
    run("--resume", ckpt_of(out), "--out", out, *RESUME, observe=lambda step, batch: resumed.__setitem__(step, batch))
    assert sorted(resumed) == list(range(per_epoch + 1, TOTAL + 1))
    assert out.read_bytes() == ref.read_bytes()


def test_mismatched_and_damaged_streamed_resumes_are_refused(small_tsv, straight, tmp_path):
    data = tmp_path / "data.tsv"
    shutil.copy2(small_tsv, data)
    out = tmp_path / "m.s2s"
    run("--data", data, "--out", out, "--steps", TOTAL, "--stop-after", 3, *STREAM)
    good = ckpt_of(out)
    ck = read_checkpoint(good.read_bytes())

    def refused(*argv, code="BAD_ARGUMENT", kind=S2SError, match):
        with pytest.raises(kind) as err:
            train_main([str(a) for a in argv])
        assert err.value.code == code and all(m in str(err.value) for m in match), str(err.value)

    refused("--resume", good, "--shuffle-buffer", 41, kind=UsageError, match=["--shuffle-buffer 40, not --shuffle-buffer 41"])
    refused("--resume", good, "--batch-size", 8, kind=UsageError, match=["--batch-size 16, not --batch-size 8"])
    # the file: its modification time, its first MiB (same size and time), its size
    stat = os.stat(data)
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10 ** 9))
    refused("--resume", good, match=["is not the file the run streamed", "modification time"])
    raw = data.read_bytes()
    data.write_bytes(raw.replace(b"2", b"3", 1))
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    refused("--resume", good, match=["is not the file the run streamed", "first MiB has SHA-256"])
    data.write_bytes(raw + b"Aug 15 2009\t2009-08-15\n")
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    refused("--resume", good, match=["is not the file the run streamed", f"its size is {len(raw) + 23} bytes, the run's file had {len(raw)}"])
    data.write_bytes(raw)
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    # another process count (a torchrun run's checkpoint resumed in one process)
    two = dict(ck["state"]["session"], stream=dict(ck["state"]["session"]["stream"], processes=2))
    (tmp_path / "two.ckpt").write_bytes(write_checkpoint(ck["model"], ck["optimizer"], session=two, app=ck["state"]["app"]))
    refused("--resume", tmp_path / "two.ckpt", match=["the run had 2 process(es), this one has 1", "--nproc_per_node 2"])
    # an in-memory run's checkpoint resumed with --stream, and the other way a streamed one is streamed again
    run("--data", data, "--out", tmp_path / "mem.s2s", "--steps", 4, "--stop-after", 2, *STREAM[3:])
    refused("--resume", tmp_path / "mem.s2s.ckpt", "--stream", kind=UsageError, match=["read its file whole", "drop --stream"])
    # a damaged stream field: refused where it is read and where it would be written
    for bad, say in (({"file": 1, "shuffleBuffer": 40, "processes": 1}, "session.stream.file must be an object, got 1"),
                     (dict(two["stream"], shuffleBuffer=0), "session.stream.shuffleBuffer must be an integer from 1"),
                     (dict(two["stream"], file=dict(two["stream"]["file"], head="xyz")), "session.stream.file.head must be 64 lowercase hex")):
        with pytest.raises(S2SError) as err:
            write_checkpoint(ck["model"], ck["optimizer"], session=dict(two, stream=bad))
        assert say in str(err.value), str(err.value)
    # the good checkpoint still resumes once the file is back
    run("--resume", good, "--out", out, *RESUME, "--stop-after", 1)
    assert session_of(good)["step"] == 4


def test_a_streamed_checkpoint_goes_to_node(straight, out_dir):
    """For tests/python-bridge.test.js: Node loads it (the `stream` field passed by) and refuses to
    resume its run (it would draw in-memory epochs)."""
    ref, _ = straight
    shutil.copy(ckpt_of(ref), out_dir / "py-stream.s2s.ckpt")
