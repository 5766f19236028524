"""torchrun with 2 processes (gloo, CPU) for 20 steps gives the weights one process gives with
the same global batch; the torchrun model is written for Node and the page to check; a torchrun
run stopped at an epoch's end and resumed under torchrun ends bit-identical to the one that never
stopped, and so does a streamed one stopped mid-epoch. Also the streaming reader (--stream)
trains from a file it never holds whole."""

import json
import os
import pathlib
import socket
import subprocess
import sys

import pytest

from conftest import load_json
from seq2seq_attention import Translator
from seq2seq_attention.checkpoint import read_checkpoint
from seq2seq_attention.errors import S2SError
from seq2seq_attention.train import main as train_main

ARGS = ["--steps", "20", "--batch-size", "16", "--embed", "8", "--hidden", "16", "--attention-size", "16",
        "--seed", "3", "--eval-size", "0", "--learning-rate", "0.01"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def torchrun(tmp_path, *args):
    """Runs the trainer under torchrun with 2 processes (gloo); fails the test with the logs if it fails."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    logs_dir = tmp_path / f"logs-{free_port()}"
    # Debian's torch 1.13 launcher needs --redirects/--tee on Python 3.11 (docs/pytorch.md)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
           "--master_port", str(free_port()), "--redirects", "2", "--tee", "1", "--log_dir", str(logs_dir),
           "-m", "seq2seq_attention.train", *map(str, args)]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    logs = "".join(p.read_text(errors="replace") for p in logs_dir.rglob("*.log"))
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:] + logs[-3000:]
    return r


def test_torchrun_two_processes_match_one(fixtures, out_dir, tmp_path):
    data = str(fixtures / "dates.tsv")
    one = tmp_path / "one.s2s"
    assert train_main(["--data", data, "--out", str(one), "--threads", "1", *ARGS]) == 0
    two = out_dir / "torchrun.s2s"
    r = torchrun(tmp_path, "--data", data, "--out", str(two), *ARGS)
    assert "on 2 processes" in r.stdout, r.stdout
    a, b = Translator.load(str(one)), Translator.load(str(two))
    assert a.metadata() == b.metadata()
    sa, sb = a.model.state_dict(), b.model.state_dict()
    worst = 0.0
    for name in sa:
        scale = float(sa[name].abs().max())
        diff = float((sa[name] - sb[name]).abs().max())
        assert diff <= 1e-5 * scale, f"{name}: 1 process vs 2 differ by {diff} (largest entry {scale})"
        worst = max(worst, diff / scale)
    held_out = load_json(fixtures / "node-trained.json")["heldOut"]
    (out_dir / "torchrun.json").write_text(json.dumps({
        "heldOut": held_out, "greedy": [b.translate(s)["text"] for s in held_out], "worstRelativeDifference": worst}))


def test_torchrun_run_stopped_at_an_epochs_end_and_resumed_is_bit_identical(small_tsv, tmp_path):
    """99 training pairs in global batches of 16 (7 an epoch), 10 steps: stopped after step 7 (the
    next batch, of a new epoch, is not drawn) and resumed, both under torchrun."""
    args = ["--data", small_tsv, "--steps", "10", "--batch-size", "16", "--embed", "8", "--hidden", "16", "--attention-size", "16",
            "--seed", "5", "--eval-size", "0", "--learning-rate", "0.01", "--schedule", "cosine"]
    straight, stopped = tmp_path / "straight.s2s", tmp_path / "stopped.s2s"
    torchrun(tmp_path, *args, "--out", straight)
    r = torchrun(tmp_path, *args, "--out", stopped, "--stop-after", "7")
    assert "checkpoint" in r.stdout and "at step 7" in r.stdout, r.stdout
    torchrun(tmp_path, "--resume", f"{stopped}.ckpt", "--out", stopped)
    assert stopped.read_bytes() == straight.read_bytes(), "torchrun stopped at step 7 and resumed: other weights"


def test_torchrun_streamed_run_stopped_mid_epoch_and_resumed_is_bit_identical(small_tsv, tmp_path):
    """--stream under torchrun: stopped mid-epoch 2 (each process replays the epoch's reading up to
    its batch) and resumed under torchrun ends byte-identical; one process may not resume it."""
    args = ["--data", small_tsv, "--steps", "12", "--batch-size", "16", "--embed", "8", "--hidden", "16", "--attention-size", "16",
            "--seed", "5", "--eval-size", "0", "--learning-rate", "0.01", "--stream", "--shuffle-buffer", "40"]
    straight, stopped = tmp_path / "straight.s2s", tmp_path / "stopped.s2s"
    torchrun(tmp_path, *args, "--out", straight)
    r = torchrun(tmp_path, *args, "--out", stopped, "--stop-after", "9")
    assert "checkpoint" in r.stdout and "at step 9" in r.stdout, r.stdout
    session = read_checkpoint(pathlib.Path(f"{stopped}.ckpt").read_bytes())["state"]["session"]
    assert session["epoch"] == 2 and 0 < session["batchInEpoch"] < 9 and session["stream"]["processes"] == 2, session
    with pytest.raises(S2SError, match="the run had 2 process"):
        train_main(["--resume", f"{stopped}.ckpt", "--out", str(tmp_path / "one.s2s")])
    torchrun(tmp_path, "--resume", f"{stopped}.ckpt", "--out", stopped)
    assert stopped.read_bytes() == straight.read_bytes(), "torchrun --stream stopped at step 9 and resumed: other weights"


def test_streaming_reader_trains_and_holds_out_by_hash(fixtures, tmp_path):
    out = tmp_path / "streamed.s2s"
    assert train_main(["--data", str(fixtures / "dates.tsv"), "--out", str(out), "--stream", "--shuffle-buffer", "500",
                       "--steps", "8", "--batch-size", "32", "--embed", "8", "--hidden", "16", "--attention-size", "16",
                       "--eval-size", "20", "--threads", "1"]) == 0
    t = Translator.load(str(out))
    assert t.config["hidden"] == 16 and t.source_vocabulary.size > 10
    assert isinstance(t.translate("Aug 15 2009")["text"], str)
