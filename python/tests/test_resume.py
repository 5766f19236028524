"""Exact resume (docs/model-format.md's checkpoints, with the session state): a Python run stopped at
step k (mid-epoch, at an epoch's end, just after it; by --stop-after, by SIGTERM) and resumed
ends bit-identical to the run that never stopped; its session state is the one Node keeps for
the same run, field for field; a Node checkpoint resumed here draws the batches Node would draw;
a Python checkpoint is written with the batches Python drew after it, for Node to check
(tests/python-bridge.test.js). Old (session-less), damaged and mismatched checkpoints are refused
with clear errors."""

import json
import os
import shutil
import signal

import pytest

from conftest import checkpoint_parts, load_json, run_train as run
from seq2seq_attention.checkpoint import read_checkpoint, write_checkpoint
from seq2seq_attention.errors import S2SError, UsageError
from seq2seq_attention.train import main as train_main

SMALL = ["--batch-size", "16", "--embed", "8", "--hidden", "16", "--attention-size", "16", "--eval-size", "0",
         "--threads", "1", "--learning-rate", "0.01", "--schedule", "cosine", "--seed", "5"]
TOTAL = 16
PER_EPOCH = 7  # 99 training pairs in batches of 16 (asserted below)


def test_a_python_run_stopped_and_resumed_is_bit_identical(small_tsv, tmp_path):
    straight = tmp_path / "straight.s2s"
    run("--data", small_tsv, "--out", straight, "--steps", TOTAL, "--checkpoint", "--checkpoint-every", 5, *SMALL)
    ck = read_checkpoint((tmp_path / "straight.s2s.ckpt").read_bytes())
    assert ck["state"]["session"]["step"] == TOTAL and ck["state"]["session"]["pairs"] == 99
    assert -(-99 // 16) == PER_EPOCH
    # chains of interruptions: mid-epoch (3), the end of epoch 1 (7), just after it (8), the end of epoch 2 (14)
    for stops in ([3, 7, 8], [14], [7]):
        out = tmp_path / f"chain-{'-'.join(map(str, stops))}.s2s"
        done = 0
        for k in stops:
            first = [] if done else ["--data", small_tsv, "--steps", TOTAL, *SMALL]
            resume = ["--resume", f"{out}.ckpt", "--threads", "1", "--eval-size", "0"] if done else []
            run(*first, *resume, "--out", out, "--stop-after", k - done)
            session = read_checkpoint(out.with_name(out.name + ".ckpt").read_bytes())["state"]["session"]
            assert session["step"] == k
            assert (session["epoch"], session["batchInEpoch"]) == ((k - 1) // PER_EPOCH + 1, (k - 1) % PER_EPOCH + 1)
            done = k
        run("--resume", f"{out}.ckpt", "--out", out, "--threads", "1", "--eval-size", "0", "--checkpoint")
        assert out.read_bytes() == straight.read_bytes(), f"stopped at {stops} and resumed: other weights"
        assert checkpoint_parts(out.with_name(out.name + ".ckpt")) == checkpoint_parts(tmp_path / "straight.s2s.ckpt")
    # the check can fail: a new run from the step-7 weights and Adam's state (--init: the data
    # order and the schedule start afresh) ends elsewhere
    other = tmp_path / "init.s2s"
    shutil.copy(tmp_path / "chain-7.s2s.ckpt", tmp_path / "at7.ckpt")
    run("--data", small_tsv, "--init", tmp_path / "at7.ckpt", "--out", other, "--steps", TOTAL - 7, "--batch-size", "16",
        "--learning-rate", "0.01", "--schedule", "cosine", "--seed", "5", "--threads", "1", "--eval-size", "0")
    assert other.read_bytes() != straight.read_bytes()


def test_sigterm_stops_after_the_step_and_the_checkpoint_resumes_exactly(small_tsv, tmp_path):
    """SIGTERM (a scheduler's, torchrun's) after step 7, the end of an epoch: the next batch is drawn
    (a new epoch) but not trained on, and the checkpoint is the state after step 7."""
    straight = tmp_path / "straight.s2s"
    run("--data", small_tsv, "--out", straight, "--steps", 10, *SMALL)
    out = tmp_path / "term.s2s"

    def observe(step, batch):
        if step == PER_EPOCH:
            os.kill(os.getpid(), signal.SIGTERM)

    before = signal.getsignal(signal.SIGTERM)
    run("--data", small_tsv, "--out", out, "--steps", 10, "--checkpoint-every", 100, *SMALL, observe=observe)
    assert signal.getsignal(signal.SIGTERM) is before, "the handler is put back"
    session = read_checkpoint((tmp_path / "term.s2s.ckpt").read_bytes())["state"]["session"]
    assert (session["step"], session["epoch"], session["batchInEpoch"]) == (PER_EPOCH, 1, PER_EPOCH)
    run("--resume", tmp_path / "term.s2s.ckpt", "--out", out, "--threads", "1")
    assert out.read_bytes() == straight.read_bytes()


def _same_state(python, node, what):
    keep = lambda s: {k: v for k, v in s.items() if k not in ("loss", "elapsedMs")}
    assert keep(python) == keep(node), f"{what}: Python's session state differs from Node's"


def _node_run_args(fixtures, spec):
    o = spec["options"]
    return ["--data", fixtures / "dates.tsv", "--steps", o["steps"], "--batch-size", o["batchSize"], "--learning-rate",
            o["learningRate"], "--seed", o["shuffleSeed"], "--embed", "8", "--hidden", "16", "--attention-size", "16",
            "--eval-size", "0", "--threads", "1"]


def test_python_keeps_nodes_session_state_and_writes_a_run_for_node(fixtures, out_dir):
    """The same run as Node's node-run fixtures (data, split, batch size, seed): at each step Node
    checkpointed, Python's session state is Node's, field for field (but the loss and time); the
    checkpoints and the batches Python drew after each go to Node."""
    spec = load_json(fixtures / "node-run.json")
    out = out_dir / "py-run.s2s"
    drawn = {}
    observe = lambda step, batch: drawn.__setitem__(step, batch)
    done = 0
    runs = []
    for r in spec["runs"]:
        args = ["--resume", f"{out}.ckpt", "--threads", "1", "--eval-size", "0"] if done else _node_run_args(fixtures, spec)
        run(*args, "--out", out, "--stop-after", r["step"] - done, observe=observe)
        ck = read_checkpoint((out_dir / "py-run.s2s.ckpt").read_bytes())
        _same_state(ck["state"]["session"], r["state"], f"at step {r['step']}")
        assert ck["state"]["app"]["writer"].startswith("seq2seq_attention")
        shutil.copy(out_dir / "py-run.s2s.ckpt", out_dir / f"py-run-{r['step']}.ckpt")
        runs.append({"step": r["step"], "file": f"py-run-{r['step']}.ckpt"})
        done = r["step"]
    run("--resume", f"{out}.ckpt", "--out", out, "--threads", "1", "--eval-size", "0", observe=observe)
    total = spec["options"]["steps"]
    assert sorted(drawn) == list(range(1, total + 1))
    for r in runs:
        r["next"] = [drawn[s] for s in range(r["step"] + 1, total + 1)]
    (out_dir / "py-run.json").write_text(json.dumps({"runs": runs}))


def test_a_node_checkpoint_resumes_here_with_the_batches_node_draws(fixtures, tmp_path):
    spec = load_json(fixtures / "node-run.json")
    for r in spec["runs"]:
        drawn = []
        out = tmp_path / f"from-node-{r['step']}.s2s"
        run("--resume", fixtures / r["file"], "--data", fixtures / "dates.tsv", "--out", out, "--threads", "1",
            "--eval-size", "0", "--checkpoint", observe=lambda step, batch: drawn.append(batch))
        assert drawn == r["next"], f"resumed from Node's step {r['step']}: other batches than Node draws"
        session = read_checkpoint(out.with_name(out.name + ".ckpt").read_bytes())["state"]["session"]
        assert session["step"] == spec["options"]["steps"] and session["shardSize"] == r["state"]["shardSize"]


def test_old_damaged_and_mismatched_checkpoints_are_refused_clearly(fixtures, small_tsv, tmp_path):
    out = tmp_path / "m.s2s"
    run("--data", small_tsv, "--out", out, "--steps", TOTAL, "--stop-after", 4, *SMALL)
    good = tmp_path / "m.s2s.ckpt"
    raw = good.read_bytes()
    ck = read_checkpoint(raw)

    def refused(*argv, code="BAD_ARGUMENT", kind=S2SError, match):
        with pytest.raises(kind) as err:
            train_main([str(a) for a in argv])
        assert err.value.code == code and match in str(err.value), str(err.value)

    # an older checkpoint (session null, as this package wrote before): loads, but --resume says why not
    old = tmp_path / "old.ckpt"
    old.write_bytes(write_checkpoint(ck["model"], ck["optimizer"], session=None, app={"writer": "seq2seq_attention (PyTorch)"}))
    assert read_checkpoint(old.read_bytes())["state"]["session"] is None
    refused("--resume", old, "--data", small_tsv, match="holds no training run (its session is null")
    run("--data", small_tsv, "--init", old, "--out", tmp_path / "from-old.s2s", "--steps", 2, "--eval-size", "0", "--threads", "1")
    # other options than the run's: refused, naming the option and both values (exit status 2)
    for flag, value, say in (("--learning-rate", "0.02", "--learning-rate 0.01, not --learning-rate 0.02"),
                             ("--batch-size", "8", "--batch-size 16, not --batch-size 8"),
                             ("--schedule", "constant", "--schedule cosine, not --schedule constant"),
                             ("--clip-norm", "1", "--clip-norm 5, not --clip-norm 1"),
                             ("--seed", "6", "--seed 5, not --seed 6"),
                             ("--steps", "20", "16 steps in all, not --steps 20"),
                             ("--test-fraction", "0.2", "--test-fraction 0.1, not --test-fraction 0.2")):
        refused("--resume", good, flag, value, kind=UsageError, match=say)
    refused("--resume", good, "--data", fixtures / "dates.tsv", match="the run was on other pairs (99 pairs")
    with pytest.raises(SystemExit):
        train_main(["--resume", str(good), "--hidden", "8"])
    with pytest.raises(SystemExit):
        train_main(["--resume", str(good), "--init", str(good)])
    # damaged, missing, a model file, another writer's custom schedule
    refused("--resume", tmp_path / "nope.ckpt", match="does not exist")
    for name, data, say in (("cut", raw[:-7], "truncated"), ("flip", raw[:40] + bytes([raw[40] ^ 1]) + raw[41:], "corrupted"),
                            ("model", out.read_bytes(), "this is a model file, not a checkpoint")):
        (tmp_path / name).write_bytes(data)
        refused("--resume", tmp_path / name, code="BAD_FILE", match=say)
    custom = tmp_path / "custom.ckpt"
    session = dict(ck["state"]["session"], schedule="custom")
    custom.write_bytes(write_checkpoint(ck["model"], ck["optimizer"], session=session))
    refused("--resume", custom, "--data", small_tsv, match="custom learning-rate schedule")
    # a session whose step does not follow from its epoch and batch cannot even be written
    with pytest.raises(S2SError) as err:
        write_checkpoint(ck["model"], ck["optimizer"], session=dict(session, schedule="constant", batchInEpoch=1))
    assert "session.step 4 does not match epoch 1 and batchInEpoch 1 with 7 batches per epoch" in str(err.value)


def test_bad_session_states_get_the_messages_js_gives(fixtures):
    for case in load_json(fixtures / "bad-sessions.json"):
        with pytest.raises(S2SError) as err:
            read_checkpoint((fixtures / case["file"]).read_bytes())
        assert (err.value.code, str(err.value)) == (case["code"], case["message"]), case["file"]
