"""Model files both ways: a model made here from the same pairs, options and seed is the file
Node writes, byte for byte; a Node-trained model loads, translates 200 held-out inputs as in
Node and is written back unchanged; damaged files get the error codes JS gives; a model trained
here (same split, batches and steps as Node's) is written for Node to check; --init continues."""

import json

import pytest

from conftest import load_json
from seq2seq_attention import Translator, read_model, write_model
from seq2seq_attention.errors import S2SError
from seq2seq_attention.train import main as train_main


def test_fresh_models_are_byte_identical_to_nodes(fixtures):
    fresh = load_json(fixtures / "fresh.json")
    pairs = [tuple(p) for p in fresh["pairs"]]
    for i, o in enumerate(fresh["options"]):
        t = Translator.create(pairs, tokenizer=o["tokenizer"], cell=o["cell"], attention=o["attention"], scale=o["scale"],
                              embed=o["embed"], hidden=o["hidden"], attention_size=o["attentionSize"], seed=o["seed"],
                              max_vocabulary_size=o.get("maxVocabularySize", 65536), min_count=o.get("minCount", 1),
                              info=o.get("info"), vocab_size=o.get("vocabSize"), shared_vocabulary=o.get("sharedVocabulary", False))
        node = (fixtures / f"fresh-{i}.s2s").read_bytes()
        mine = t.save()
        assert len(mine) == len(node) and mine == node, f"fresh model {i} ({o['cell']}/{o['attention']}, {o['tokenizer']}) differs"
        loaded = Translator.load(node)
        assert [loaded.translate(p[0], max_length=30)["text"] for p in pairs[:12]] == fresh["translations"][i]
    assert any(o["tokenizer"] == "bpe" for o in fresh["options"])


def test_node_trained_model_translates_as_in_node_and_round_trips(fixtures):
    data = (fixtures / "node-trained.s2s").read_bytes()
    expected = load_json(fixtures / "node-trained.json")
    t = Translator.load(data)
    assert t.save() == data
    cfg, tensors, meta = read_model(data)
    assert write_model(cfg, t.model.state_dict(), meta) == data
    assert list(t.model.state_dict()) == [n for n in tensors]
    greedy = [t.translate(s)["text"] for s in expected["heldOut"]]
    beam = [t.translate(s, beam=3)["text"] for s in expected["heldOut"]]
    assert len(greedy) == 200
    assert greedy == expected["greedy"]
    assert beam == expected["beam"]


def test_damaged_files_get_the_error_codes_js_gives(fixtures):
    for e in load_json(fixtures / "damaged.json"):
        with pytest.raises(S2SError) as err:
            Translator.load((fixtures / e["file"]).read_bytes())
        assert err.value.code == e["code"], f"{e['name']}: Python says {err.value.code} {err.value}, JS {e['code']} {e['message']}"


def _translations(t, held_out):
    return {"heldOut": held_out, "greedy": [t.translate(s)["text"] for s in held_out],
            "beam": [t.translate(s, beam=3)["text"] for s in held_out]}


def test_train_in_python_for_node(fixtures, out_dir, capsys):
    cfg = load_json(fixtures / "node-trained.json")["train"]
    out = out_dir / "py-trained.s2s"
    rc = train_main(["--data", str(fixtures / "dates.tsv"), "--out", str(out), "--steps", str(cfg["steps"]),
                     "--batch-size", str(cfg["batchSize"]), "--embed", str(cfg["embed"]), "--hidden", str(cfg["hidden"]),
                     "--attention-size", str(cfg["attentionSize"]), "--seed", str(cfg["seed"]), "--eval-size", "0", "--threads", "1"])
    assert rc == 0
    t = Translator.load(str(out))
    assert t.info == {"data": str(fixtures / "dates.tsv")}
    held_out = load_json(fixtures / "node-trained.json")["heldOut"]  # the same split from the same seed
    (out_dir / "py-trained.json").write_text(json.dumps(_translations(t, held_out)))


def test_init_continues_training_from_a_node_model(fixtures, tmp_path):
    out = tmp_path / "continued.s2s"
    start = Translator.load(str(fixtures / "node-trained.s2s"))
    rc = train_main(["--data", str(fixtures / "dates.tsv"), "--out", str(out), "--steps", "3", "--batch-size", "16",
                     "--init", str(fixtures / "node-trained.s2s"), "--eval-size", "0", "--seed", "3"])
    assert rc == 0
    t = Translator.load(str(out))
    assert t.config == start.config and t.source_vocabulary.symbols == start.source_vocabulary.symbols
    assert t.target_vocabulary.symbols == start.target_vocabulary.symbols and t.tokenizer == start.tokenizer
    a, b = start.model.state_dict(), t.model.state_dict()
    assert all(not bool((a[k] == b[k]).all()) for k in ("enc.weight_ih", "out.weight")), "the weights moved"
    with pytest.raises(SystemExit):
        train_main(["--data", str(fixtures / "dates.tsv"), "--init", str(fixtures / "node-trained.s2s"), "--hidden", "8"])


def test_the_limits_are_the_cores(fixtures):
    from seq2seq_attention import modelfile
    limits = load_json(fixtures / "limits.json")
    mine = {k: getattr(modelfile, k) for k in dir(modelfile) if k.startswith(("MAX_", "MIN_"))}
    assert mine and set(mine) <= set(limits), f"Python has limits the core does not: {set(mine) - set(limits)}"
    assert {k: limits[k] for k in mine} == mine


def test_translate_and_eval_commands_give_nodes_answers_and_scores(fixtures, capsys):
    from seq2seq_attention.eval import main as eval_main
    from seq2seq_attention.translate import main as translate_main
    expected = load_json(fixtures / "node-trained.json")
    model = str(fixtures / "node-trained.s2s")
    assert translate_main(["--model", model, *expected["heldOut"][:20]]) == 0
    assert capsys.readouterr().out.splitlines() == expected["greedy"][:20]
    assert translate_main(["--model", model, "--beam", "3", "--json", *expected["heldOut"][:5]]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [x["text"] for x in lines] == expected["beam"][:5]
    for beam, want in (("1", expected["metrics"]), ("3", expected["metricsBeam"])):
        assert eval_main(["--model", model, "--data", str(fixtures / "held-out.tsv"), "--beam", beam, "--json"]) == 0
        got = json.loads(capsys.readouterr().out)
        for key in ("exactMatch", "tokenAccuracy", "bleu", "chrf", "count"):
            assert got[key] == pytest.approx(want[key], rel=1e-12, abs=1e-12), f"beam {beam} {key}: {got[key]} vs Node {want[key]}"


def test_a_js_checkpoint_carries_adams_state_into_python(fixtures, tmp_path):
    import torch
    from seq2seq_attention.checkpoint import read_checkpoint
    from seq2seq_attention.model import make_batch
    from seq2seq_attention.optim import CoreAdam
    ck = read_checkpoint((fixtures / "node.ckpt").read_bytes())
    assert ck["optimizer"]["steps"] == 5
    spec = load_json(fixtures / "node-ckpt.json")
    want = Translator.load(str(fixtures / "node-ckpt-after.s2s")).model.state_dict()
    worst = {}
    for with_state in (True, False):
        t = Translator.load(ck["model"])
        opt = CoreAdam(list(t.model.parameters()), lr=spec["learningRate"])
        if with_state:
            opt.import_state(ck["optimizer"])
        batch = make_batch([t.encode_pair(p) for p in spec["pairs"]])
        t.model.loss(batch).backward()
        torch.nn.utils.clip_grad_norm_(list(t.model.parameters()), spec["clipNorm"])
        opt.step()
        got = t.model.state_dict()
        worst[with_state] = max(float((want[k] - got[k]).abs().max()) / float(want[k].abs().max()) for k in want)
    assert worst[True] <= 1e-5, f"one step after the checkpoint differs from Node's by {worst[True]}"
    assert worst[False] > 1e-3, "without Adam's state the step must differ (else the check shows nothing)"
    # train --init takes a checkpoint; damaged checkpoints are refused as in JS
    assert train_main(["--data", str(fixtures / "dates.tsv"), "--out", str(tmp_path / "c.s2s"), "--steps", "2",
                       "--init", str(fixtures / "node.ckpt"), "--eval-size", "0", "--threads", "1"]) == 0
    raw = (fixtures / "node.ckpt").read_bytes()
    for bad in (raw[:-9], raw + b"\0", raw[:100] + bytes([raw[100] ^ 1]) + raw[101:], b"", (fixtures / "node-ckpt-after.s2s").read_bytes()):
        with pytest.raises(S2SError) as err:
            read_checkpoint(bad)
        assert err.value.code == "BAD_FILE"


def test_python_writes_a_checkpoint_for_node(fixtures, out_dir):
    """train --checkpoint writes OUT.ckpt; it reads back; one more step from it here is what Node
    must compute from the same checkpoint (checked in tests/python-bridge.test.js)."""
    import torch
    from seq2seq_attention.checkpoint import read_checkpoint
    from seq2seq_attention.model import make_batch
    from seq2seq_attention.optim import CoreAdam
    out = out_dir / "py.s2s"
    assert train_main(["--data", str(fixtures / "dates.tsv"), "--out", str(out), "--steps", "5", "--batch-size", "16",
                       "--embed", "8", "--hidden", "16", "--attention-size", "16", "--eval-size", "0", "--threads", "1",
                       "--checkpoint"]) == 0
    ck = read_checkpoint((out_dir / "py.s2s.ckpt").read_bytes())
    assert ck["model"] == out.read_bytes() and ck["optimizer"]["steps"] == 5 and ck["state"]["session"]["step"] == 5
    spec = load_json(fixtures / "node-ckpt.json")
    t = Translator.load(ck["model"])
    opt = CoreAdam(list(t.model.parameters()), lr=spec["learningRate"])
    opt.import_state(ck["optimizer"])
    t.model.loss(make_batch([t.encode_pair(p) for p in spec["pairs"]])).backward()
    torch.nn.utils.clip_grad_norm_(list(t.model.parameters()), spec["clipNorm"])
    opt.step()
    t.save(str(out_dir / "py-ckpt-after.s2s"))
