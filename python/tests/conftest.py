"""Fixtures written by tests/python-bridge.test.js (S2S_FIXTURES) and where Python's results go
for Node to check (S2S_OUT). Tests that need them skip without them (the Node test refuses a skip)."""

import json
import os
import pathlib

import pytest


def _dir(var):
    value = os.environ.get(var)
    if not value:
        pytest.skip(f"{var} is not set: run the Python tests through `node --test tests/python-bridge.test.js`")
    return pathlib.Path(value)


@pytest.fixture(scope="session")
def fixtures():
    return _dir("S2S_FIXTURES")


@pytest.fixture(scope="session")
def out_dir():
    return _dir("S2S_OUT")


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def small_tsv(fixtures, tmp_path_factory):
    """110 lines of the dates file: 99 training pairs in memory (7 batches of 16 an epoch), 104
    streamed with seed 5 (the held-out pairs chosen by hash; 7 batches of 16 too)."""
    path = tmp_path_factory.mktemp("small") / "small.tsv"
    path.write_text("".join((fixtures / "dates.tsv").read_text(encoding="utf-8").splitlines(True)[:110]), encoding="utf-8")
    return path


def run_train(*argv, observe=None):
    """python3 -m seq2seq_attention.train ARGV in this process; it must succeed."""
    from seq2seq_attention.train import main as train_main

    assert train_main([str(a) for a in argv], observe=observe) == 0


def checkpoint_parts(path):
    """A checkpoint's bytes that must match between runs: everything but savedAt and elapsedMs."""
    from seq2seq_attention.checkpoint import read_checkpoint

    ck = read_checkpoint(path.read_bytes())
    session = dict(ck["state"]["session"])
    session.pop("elapsedMs")
    opt = ck["optimizer"]
    return ck["model"], opt["steps"], opt["beta1Power"], opt["beta2Power"], opt["m"].numpy().tobytes(), opt["v"].numpy().tobytes(), session
