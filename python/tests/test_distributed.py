"""torchrun with 2 processes (gloo, CPU) for 20 steps gives the weights one process gives with
the same global batch; the torchrun model is written for Node and the page to check. Also the
streaming reader (--stream) trains from a file it never holds whole."""

import json
import os
import socket
import subprocess
import sys

import torch

from conftest import load_json
from seq2seq_attention import Translator
from seq2seq_attention.train import main as train_main

ARGS = ["--steps", "20", "--batch-size", "16", "--embed", "8", "--hidden", "16", "--attention-size", "16",
        "--seed", "3", "--eval-size", "0", "--learning-rate", "0.01"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_torchrun_two_processes_match_one(fixtures, out_dir, tmp_path):
    data = str(fixtures / "dates.tsv")
    one = tmp_path / "one.s2s"
    assert train_main(["--data", data, "--out", str(one), "--threads", "1", *ARGS]) == 0
    two = out_dir / "torchrun.s2s"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    # Debian's torch 1.13 launcher needs --redirects/--tee on Python 3.11 (docs/pytorch.md)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
           "--master_port", str(free_port()), "--redirects", "2", "--tee", "1", "--log_dir", str(tmp_path / "logs"),
           "-m", "seq2seq_attention.train", "--data", data, "--out", str(two), *ARGS]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    logs = "".join(p.read_text(errors="replace") for p in (tmp_path / "logs").rglob("*.log"))
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:] + logs[-3000:]
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


def test_streaming_reader_trains_and_holds_out_by_hash(fixtures, tmp_path):
    out = tmp_path / "streamed.s2s"
    assert train_main(["--data", str(fixtures / "dates.tsv"), "--out", str(out), "--stream", "--shuffle-buffer", "500",
                       "--steps", "8", "--batch-size", "32", "--embed", "8", "--hidden", "16", "--attention-size", "16",
                       "--eval-size", "20", "--threads", "1"]) == 0
    t = Translator.load(str(out))
    assert t.config["hidden"] == 16 and t.source_vocabulary.size > 10
    assert isinstance(t.translate("Aug 15 2009")["text"], str)
