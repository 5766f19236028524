"""PyTorch against the wasm core: for every cell x attention (dot scaled and unscaled), the same
weights and padded batch give the same loss and gradients, and decoding gives the same tokens."""

import json

import pytest
import torch

from conftest import load_json
from seq2seq_attention import Seq2SeqModel, read_model

CASES = ["rnn", "gru", "lstm"]


def cases(fixtures):
    return load_json(fixtures / "equivalence.json")


def model_of(fixtures, case):
    cfg, tensors, _ = read_model((fixtures / case["file"]).read_bytes())
    m = Seq2SeqModel(cfg)
    m.load_weights(tensors)
    return m


def torch_batch(b):
    B, M, N = b["batchSize"], b["srcLength"], b["tgtLength"]
    return {"src": torch.tensor(b["src"]).reshape(B, M), "src_len": torch.tensor(b["srcLengths"]),
            "tgt_in": torch.tensor(b["tgtIn"]).reshape(B, N), "tgt_out": torch.tensor(b["tgtOut"]).reshape(B, N)}


def test_every_configuration_is_covered(fixtures):
    names = {c["name"] for c in cases(fixtures)}
    assert names == {f"{c}-{a}" for c in CASES for a in ("additive", "dot-scaled", "dot-unscaled", "none")}


def test_loss_and_every_gradient_match_the_wasm_core(fixtures, out_dir):
    report = []
    for case in cases(fixtures):
        m = model_of(fixtures, case)
        batch = torch_batch(case["batch"])
        assert bool((batch["tgt_out"] == 0).any()) and len(set(case["batch"]["srcLengths"])) > 1, "the batch is padded"
        loss = m.loss(batch)
        loss.backward()
        rel = abs(float(loss) - case["loss"]) / abs(case["loss"])
        assert rel <= 1e-5, f"{case['name']}: loss {float(loss)} vs wasm {case['loss']}"
        worst = 0.0
        params = dict(m.named_parameters())
        assert list(case["gradients"]) == m.parameter_names()
        for name, want in case["gradients"].items():
            want = torch.tensor(want).reshape(params[name].shape)
            got = params[name].grad
            scale = float(want.abs().max())
            diff = float((got - want).abs().max())
            assert scale > 0, f"{case['name']}: {name} has an all-zero gradient: the check would be empty"
            assert diff <= 1e-4 * scale, f"{case['name']}: gradient of {name} differs by {diff} (largest entry {scale})"
            worst = max(worst, diff / scale)
        report.append({"case": case["name"], "lossRelative": rel, "worstGradientRelative": worst})
    (out_dir / "equivalence-report.json").write_text(json.dumps(report))


def test_greedy_and_beam_decoding_give_the_same_tokens(fixtures):
    n = 0
    for case in cases(fixtures):
        m = model_of(fixtures, case)
        for d in case["decodes"]:
            o = d["options"]
            hyps = m.translate_tokens(d["src"], beam=o["beam"], n_best=o.get("nBest", 1), max_length=o["maxLength"],
                                      length_penalty=o.get("lengthPenalty", 0.0))
            assert [h["tokens"] for h in hyps] == [h["tokens"] for h in d["hyps"]], f"{case['name']} {o} src {d['src']}"
            for h, w in zip(hyps, d["hyps"]):
                assert h["log_prob"] == pytest.approx(w["logProb"], rel=1e-5, abs=1e-5)
                assert h["score"] == pytest.approx(w["score"], rel=1e-5, abs=1e-5)
                att = torch.tensor(h["attention"], dtype=torch.float32).reshape(-1)
                assert torch.allclose(att, torch.tensor(w["attention"], dtype=torch.float32), atol=1e-5)
            n += 1
    assert n == 12 * 12
