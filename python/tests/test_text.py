"""The text pipeline gives the JS library's splits, vocabularies, ids and detokenized text on
Unicode-heavy pairs (BOM, CRLF, blank lines, duplicates, extra columns, --columns, JS-only
whitespace such as U+FEFF and non-whitespace such as U+0085, emoji sequences, combining marks)."""

import pytest

from conftest import load_json
from seq2seq_attention.bpe import BpeTokenizer, split_chunks
from seq2seq_attention.errors import S2SError
from seq2seq_attention.rng import Random
from seq2seq_attention.text import Vocabulary, get_tokenizer, js_trim
from seq2seq_attention.tsv import from_tsv, parse_tsv, read_pairs, split_pairs


def text_fixture(fixtures):
    return load_json(fixtures / "text.json")


def test_split_vocabularies_ids_and_detokenizing_match_js(fixtures):
    data = text_fixture(fixtures)
    assert len(data["cases"]) == 2
    for case in data["cases"]:
        raw = (fixtures / case["file"]).read_bytes()
        cols = tuple(case["columns"])
        train, test = from_tsv(raw, seed=case["seed"], test_fraction=case["testFraction"], columns=cols)
        assert [list(p) for p in train] == case["train"] and [list(p) for p in test] == case["test"], case["file"]
        # the streaming reader gives the same pairs as the whole-file parser
        assert list(read_pairs(fixtures / case["file"], cols)) == parse_tsv(raw, cols)
        both = train + test
        for name, tk in case["tokenizers"].items():
            if name == "bpe":
                continue
            tok = get_tokenizer(name)
            for label, v in tk["vocabs"].items():
                o = v["options"]
                kw = {"max_size": o.get("maxSize", 65536), "min_count": o.get("minCount", 1)}
                sv = Vocabulary.from_texts([p[0] for p in train], tok, **kw)
                tv = Vocabulary.from_texts([p[1] for p in train], tok, **kw)
                assert sv.symbols == v["source"] and tv.symbols == v["target"], f"{case['file']} {name} {label}"
                ids = [[sv.encode(tok.tokenize(s))[0], tv.encode(tok.tokenize(t))[0]] for s, t in both]
                assert ids == v["ids"], f"{case['file']} {name} {label}"
            if name == "bpe":
                continue
            detok = [[tok.detokenize(tok.tokenize(s)), tok.detokenize(tok.tokenize(t))] for s, t in both]
            assert detok == tk["detokenized"]
        sources, targets = [p[0] for p in train], [p[1] for p in train]
        for label, texts in (("source", sources), ("target", targets), ("shared", sources + targets)):
            want = case["tokenizers"]["bpe"][label]
            tok = BpeTokenizer.learn(texts, want["vocabSize"])
            assert tok.to_json() == want["tokenizer"] and tok.symbols == want["symbols"], f"{case['file']} bpe {label}"
            index = {s: i + 4 for i, s in enumerate(tok.symbols)}
            assert [[[index[p] for p in tok.tokenize(s)], [index[p] for p in tok.tokenize(t)]] for s, t in both] == want["ids"]
            detok = [[tok.detokenize(tok.tokenize(s)), tok.detokenize(tok.tokenize(t))] for s, t in both]
            assert detok == want["detokenized"] and detok == [[s, t] for s, t in both], "bpe is lossless"


def test_files_js_refuses_are_refused_with_the_same_message(fixtures):
    for e in text_fixture(fixtures)["errors"]:
        with pytest.raises(S2SError) as err:
            parse_tsv((fixtures / e["file"]).read_bytes())
        assert str(err.value) == e["message"], e["file"]
        assert err.value.code == e["code"], e["file"]
        with pytest.raises(S2SError) as err:
            list(read_pairs(fixtures / e["file"])) or parse_tsv(b"")
        assert e["file"] in str(err.value) or "no pairs" in str(err.value)


def test_js_generator_and_whitespace():
    # lib/random.js createRandom(1): the first outputs (independent of the fixtures)
    r = Random(1)
    xs = [r.next() for _ in range(3)]
    assert all(0 <= x < 1 for x in xs) and len(set(xs)) == 3
    assert Random(7).shuffle(list(range(10))) == Random(7).shuffle(list(range(10)))
    assert js_trim("\ufeff\u00a0 x \u3000") == "x" and js_trim("\u0085x") == "\u0085x"
    assert get_tokenizer("word").tokenize("l'arbre est grand.") == ["l", "'", "arbre", "est", "grand", "."]
    assert get_tokenizer("char").tokenize("a👍🏽") == ["a", "👍", "🏽"]
    with pytest.raises(S2SError):
        get_tokenizer("bytes")
    assert split_pairs([("a", "b"), ("a", "b"), ("a", "c")], 1, 0.0)[0] == [("a", "b"), ("a", "c")]


def test_bpe_golden_fixture_of_the_js_library():
    """tests/fixtures/bpe-golden.json: texts, the tokenizers lib/bpe.js learns and held-out ids."""
    import json
    import pathlib
    golden = json.loads((pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "bpe-golden.json").read_text(encoding="utf-8"))
    assert golden["cases"]
    for case in golden["cases"]:
        tok = BpeTokenizer.learn(golden["train"], case["vocabSize"])
        assert tok.to_json() == case["tokenizer"] and tok.symbols == case["symbols"]
        index = {s: i + 4 for i, s in enumerate(tok.symbols)}
        assert [[index[p] for p in tok.tokenize(s)] for s in golden["heldOut"]] == case["ids"]
    assert split_chunks("Où est-il ?") == ["Où", " est", "-", "il", " ", "?"]
    assert split_chunks("Hello  world") == ["Hello", " ", " world"]
    with pytest.raises(S2SError):
        split_chunks("a\ud800b")
