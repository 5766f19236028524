"""A model on strings (lib/translator.js in Python): the network plus the two vocabularies and
tokenizer names, stored in the model file's metadata as the same UTF-8 JSON the JS library
writes, so files go both ways and a model made here from the same pairs and seed is the same
file, byte for byte, as the one Translator.create makes in Node."""

import json


from .bpe import DEFAULT_BPE_VOCABULARY_SIZE, BpeTokenizer
from .errors import S2SError
from .metrics import chrf, corpus_bleu, exact_match, token_accuracy
from .model import Seq2SeqModel, make_config
from .modelfile import MAX_BEAM, read_model, write_model
from .text import (MAX_SEQUENCE_LENGTH, MAX_VOCABULARY_SIZE, Vocabulary, get_tokenizer,
                   resolve_tokenizer_names, word_tokenizer)

METADATA_FORMAT = "seq2seq-attention/translator"
METADATA_VERSION = 1  # char/word models, so older readers still load them
METADATA_VERSION_BPE = 2  # a side is 'bpe' (docs/tokenizers.md, section 5)


def bpe_sizes(vocab_size, names, shared):
    """The vocab_size option (a number or {'source', 'target'}) -> {'source': n, 'target': n}."""
    if vocab_size is None:
        return {"source": DEFAULT_BPE_VOCABULARY_SIZE, "target": DEFAULT_BPE_VOCABULARY_SIZE}
    if isinstance(vocab_size, int) and not isinstance(vocab_size, bool):
        return {"source": vocab_size, "target": vocab_size}
    if not isinstance(vocab_size, dict) or set(vocab_size) - {"source", "target"}:
        raise S2SError("vocabSize must be a number or { source: number, target: number }")
    sizes = {k: vocab_size.get(k, DEFAULT_BPE_VOCABULARY_SIZE) for k in ("source", "target")}
    if shared and sizes["source"] != sizes["target"]:
        raise S2SError("a shared vocabulary has one size: give vocabSize as one number")
    for side in ("source", "target"):
        if side in vocab_size and names[side] != "bpe":
            raise S2SError(f"vocabSize.{side} is for a 'bpe' {side} tokenizer; the {side} tokenizer is '{names[side]}'")
    return sizes


class TokenizerCounts:
    """What learning the tokenizers and vocabularies needs, gathered pair by pair (so a streamed
    file can be counted without holding it): symbol counts for a char/word side, chunk counts
    for a bpe side (docs/tokenizers.md 2.1; one table for both sides when shared)."""

    def __init__(self, names, shared=False, vocab_size=None):
        if not isinstance(shared, bool):
            raise S2SError("sharedVocabulary must be true or false")
        bpe_sides = [side for side in ("source", "target") if names[side] == "bpe"]
        if not bpe_sides and vocab_size is not None:
            raise S2SError("vocabSize is for the 'bpe' tokenizer; with 'char' or 'word' use max_vocabulary_size")
        if shared and len(bpe_sides) != 2:
            raise S2SError("sharedVocabulary needs the 'bpe' tokenizer on both sides")
        self.names, self.shared = names, shared
        self.sizes = bpe_sizes(vocab_size, names, shared)
        self.counts = {"source": {}, "target": {}}
        if shared:
            self.counts["target"] = self.counts["source"]
        self._fixed = {side: get_tokenizer(names[side]) for side in ("source", "target") if names[side] != "bpe"}

    def add(self, source, target):
        for side, text in (("source", source), ("target", target)):
            tok = self._fixed.get(side)
            if tok is None:
                BpeTokenizer.count_chunks((text,), self.counts[side])
            else:
                Vocabulary.count((text,), tok, self.counts[side])

    def learn(self, max_vocabulary_size=MAX_VOCABULARY_SIZE, min_count=1):
        """-> (source tokenizer, target tokenizer, source vocabulary, target vocabulary)."""
        toks, vocabs = {}, {}
        for side in ("source", "target"):
            if self.names[side] == "bpe":
                if side == "target" and self.shared:
                    toks[side], vocabs[side] = toks["source"], vocabs["source"]
                    continue
                toks[side] = BpeTokenizer.learn_from_counts(self.counts[side], self.sizes[side])
                vocabs[side] = Vocabulary(toks[side].symbols)
            else:
                toks[side] = self._fixed[side]
                vocabs[side] = Vocabulary.from_counts(self.counts[side], max_vocabulary_size, min_count)
        return toks["source"], toks["target"], vocabs["source"], vocabs["target"]


def encode_metadata(tokenizer, source_vocabulary, target_vocabulary, info=None, source_tokenizer=None,
                    target_tokenizer=None, shared=False):
    """JSON.stringify of the JS library's metadata object, as UTF-8 bytes."""
    subword = "bpe" in (tokenizer["source"], tokenizer["target"])
    obj = {"format": METADATA_FORMAT, "version": METADATA_VERSION_BPE if subword else METADATA_VERSION,
           "tokenizer": tokenizer, "sourceVocabulary": source_vocabulary.to_json(),
           "targetVocabulary": target_vocabulary.to_json(), "info": info}
    if subword:
        obj["bpe"] = {"shared": shared,
                      "source": source_tokenizer.to_json() if tokenizer["source"] == "bpe" else None,
                      "target": target_tokenizer.to_json() if tokenizer["target"] == "bpe" else None}
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _decode_tokenizers(obj, names, source_vocabulary, target_vocabulary):
    bpe = obj.get("bpe")
    if "bpe" not in names.values():
        if "bpe" in obj:
            raise ValueError("it has bpe tokenizers but no side uses the bpe tokenizer")
        return get_tokenizer(names["source"]), get_tokenizer(names["target"]), False
    if not isinstance(bpe, dict) or not isinstance(bpe.get("shared"), bool):
        raise ValueError("the bpe tokenizers are missing")
    sides = {}
    for side, vocabulary in (("source", source_vocabulary), ("target", target_vocabulary)):
        if names[side] != "bpe":
            if bpe.get(side) is not None:
                raise ValueError(f"the {side} side is '{names[side]}' but a bpe tokenizer is stored for it")
            sides[side] = get_tokenizer(names[side])
            continue
        t = BpeTokenizer.from_json(bpe.get(side))
        if t.symbols != vocabulary.symbols:
            raise ValueError(f"the {side} vocabulary is not the one its bpe tokenizer implies")
        sides[side] = t
    if bpe["shared"]:
        if names["source"] != "bpe" or names["target"] != "bpe" or bpe.get("source") != bpe.get("target"):
            raise ValueError("it says the vocabulary is shared but the two sides differ")
        sides["target"] = sides["source"]
    return sides["source"], sides["target"], bpe["shared"]


def decode_metadata(data):
    """Metadata bytes -> (tokenizer names, source vocabulary, target vocabulary, info, source tokenizer,
    target tokenizer, shared); BAD_FILE errors as in JS."""
    if not data:
        raise S2SError("this model file has no vocabularies (it was saved by the low-level Seq2Seq): "
                       "it cannot be used on strings; save it from a Translator", "BAD_FILE")
    try:
        obj = json.loads(bytes(data).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise S2SError("the metadata in this model file is not valid UTF-8 JSON: the file was not written by Translator#save", "BAD_FILE") from None
    if not isinstance(obj, dict) or obj.get("format") != METADATA_FORMAT:
        raise S2SError("the metadata in this model file is not a Translator's", "BAD_FILE")
    if obj.get("version") not in (METADATA_VERSION, METADATA_VERSION_BPE):
        raise S2SError(f"this model file's vocabulary format is version {obj.get('version')}; this library reads "
                       f"versions {METADATA_VERSION} and {METADATA_VERSION_BPE}: upgrade seq2seq-attention", "BAD_FILE")
    try:
        names = resolve_tokenizer_names(obj.get("tokenizer"))
        source, target = Vocabulary.from_json(obj.get("sourceVocabulary")), Vocabulary.from_json(obj.get("targetVocabulary"))
        return (names, source, target, obj.get("info")) + _decode_tokenizers(obj, names, source, target)
    except (S2SError, TypeError, ValueError) as e:
        raise S2SError(f"the vocabularies in this model file are damaged: {e}", "BAD_FILE") from None


class Translator:
    """Make one with Translator.create(pairs, ...) or Translator.load(bytes_or_path)."""

    def __init__(self, model, tokenizer, source_vocabulary, target_vocabulary, info=None, source_tokenizer=None,
                 target_tokenizer=None, shared=False):
        self.model = model
        self.tokenizer = dict(tokenizer)
        self.source_tokenizer = source_tokenizer or get_tokenizer(tokenizer["source"])
        self.target_tokenizer = target_tokenizer or get_tokenizer(tokenizer["target"])
        self.shared_vocabulary = shared
        self.source_vocabulary = source_vocabulary
        self.target_vocabulary = target_vocabulary
        self.info = info
        cfg = model.cfg
        if source_vocabulary.size != cfg["src_vocab_size"] or target_vocabulary.size != cfg["tgt_vocab_size"]:
            raise S2SError(f"the model file is inconsistent: its vocabularies have {source_vocabulary.size}/"
                           f"{target_vocabulary.size} entries but the network expects {cfg['src_vocab_size']}/"
                           f"{cfg['tgt_vocab_size']}", "BAD_FILE")

    @classmethod
    def create(cls, pairs, tokenizer="char", cell="gru", attention="additive", scale=True, embed=32, hidden=64,
               attention_size=64, seed=1, max_vocabulary_size=MAX_VOCABULARY_SIZE, min_count=1, info=None,
               vocab_size=None, shared_vocabulary=False, counts=None):
        """Tokenizers and vocabularies from the pairs (or from a TokenizerCounts gathered while
        streaming), weights from the seed: what Translator.create makes in JS from the same input."""
        names = resolve_tokenizer_names(tokenizer)
        if counts is None:
            if not pairs:
                raise S2SError("pairs is empty: give at least one (source, target) pair")
            counts = TokenizerCounts(names, shared_vocabulary, vocab_size)
            for p in pairs:
                counts.add(p[0], p[1])
        src_tok, tgt_tok, source, target = counts.learn(max_vocabulary_size, min_count)
        for side, v in (("source", source), ("target", target)):
            if v.size < 5:
                raise S2SError(f"the {side} texts of pairs have no symbols: a model needs at least one")
        cfg = make_config(cell, attention, scale, embed, hidden, attention_size, source.size, target.size)
        return cls(Seq2SeqModel(cfg, seed=seed), names, source, target, info, src_tok, tgt_tok, counts.shared)

    @classmethod
    def load(cls, data):
        """From model-file bytes or a path."""
        if isinstance(data, str):
            try:
                with open(data, "rb") as f:
                    data = f.read()
            except FileNotFoundError:
                raise S2SError(f"cannot read the model: {data} does not exist", "BAD_ARGUMENT") from None
        cfg, tensors, metadata = read_model(data)
        names, source, target, info, src_tok, tgt_tok, shared = decode_metadata(metadata)
        model = Seq2SeqModel(cfg)
        model.load_weights(tensors)
        return cls(model, names, source, target, info, src_tok, tgt_tok, shared)

    @property
    def config(self):
        return dict(self.model.cfg)

    def metadata(self):
        return encode_metadata(self.tokenizer, self.source_vocabulary, self.target_vocabulary, self.info,
                               self.source_tokenizer, self.target_tokenizer, self.shared_vocabulary)

    def save(self, path=None):
        """The model file as bytes (also written to `path` when given)."""
        data = write_model(self.model.cfg, self.model.weights(), self.metadata())
        if path is not None:
            with open(path, "wb") as f:
                f.write(data)
        return data

    def encode_source(self, text, what="text"):
        if not isinstance(text, str):
            raise S2SError(f"{what} must be a string, got {type(text).__name__}")
        try:
            symbols = self.source_tokenizer.tokenize(text)
        except ValueError as e:
            raise S2SError(f"{what}: {e}", "LIMIT") from None
        except S2SError as e:
            raise S2SError(f"{what}: {e}", e.code) from None
        if not symbols:
            raise S2SError(f"{what} has no symbols to translate: give a non-empty text")
        if len(symbols) > MAX_SEQUENCE_LENGTH:
            raise S2SError(f"{what} has {len(symbols)} symbols; the limit is {MAX_SEQUENCE_LENGTH}: split it into shorter pieces", "LIMIT")
        ids, unknown = self.source_vocabulary.encode(symbols)
        return symbols, ids, unknown

    def encode_target(self, text, what="text"):
        try:
            symbols = self.target_tokenizer.tokenize(text)
        except ValueError as e:
            raise S2SError(f"{what}: {e}", "LIMIT") from None
        except S2SError as e:
            raise S2SError(f"{what}: {e}", e.code) from None
        if len(symbols) + 1 > MAX_SEQUENCE_LENGTH:
            raise S2SError(f"{what} has {len(symbols)} symbols; the limit is {MAX_SEQUENCE_LENGTH - 1} (plus the end token): split it", "LIMIT")
        return self.target_vocabulary.encode(symbols)[0]

    def encode_pair(self, pair, what="pair"):
        return self.encode_source(pair[0], f"{what} source")[1], self.encode_target(pair[1], f"{what} target")

    def translate(self, text, beam=1, n_best=1, max_length=None, length_penalty=0.0):
        symbols, ids, unknown = self.encode_source(text)
        if not isinstance(beam, int) or not 1 <= beam <= MAX_BEAM:
            raise S2SError(f"beam must be an integer from 1 to {MAX_BEAM}, got {beam!r}")
        if max_length is None:
            max_length = min(MAX_SEQUENCE_LENGTH, max(50, 2 * len(ids) + 10))
        hyps = self.model.translate_tokens(ids, beam=beam, n_best=n_best, max_length=max_length,
                                           length_penalty=length_penalty)
        best = hyps[0]
        tokens = self.target_vocabulary.decode(best["tokens"])
        return {
            "text": self.target_tokenizer.detokenize(tokens), "tokens": tokens, "ids": best["tokens"],
            "score": best["score"], "log_prob": best["log_prob"],
            "attention": {"weights": best["attention"], "source": symbols,
                          "target": [self.target_vocabulary.symbol(i) for i in best["tokens"]]},
            "unknown": unknown,
            "n_best": [{"text": self.target_tokenizer.detokenize(self.target_vocabulary.decode(h["tokens"])),
                        "score": h["score"], "log_prob": h["log_prob"]} for h in hyps],
        }

    def evaluate(self, pairs, beam=1, max_length=None):
        """Exact match and token accuracy (0..1), corpus BLEU and chrF (0..100) and up to 10
        mistakes, computed as Translator#evaluate does."""
        if not pairs:
            raise S2SError("pairs is empty: give at least one (source, target) pair")
        hyp_tokens, ref_tokens, hyp_texts, ref_texts, mistakes = [], [], [], [], []
        # a bpe target is scored on the word tokenizer's tokens of the texts (comparable with word
        # models), exact match on the texts
        subword = self.tokenizer["target"] == "bpe"
        for i, (src, ref) in enumerate(pairs):
            try:
                out = self.translate(src, beam=beam, max_length=max_length)
            except S2SError as e:
                raise S2SError(f"pairs[{i}]: {e}", e.code) from None
            r = word_tokenizer.tokenize(ref) if subword else self.target_tokenizer.tokenize(ref)
            hyp_tokens.append(word_tokenizer.tokenize(out["text"]) if subword else out["tokens"])
            ref_tokens.append(r)
            hyp_texts.append(out["text"])
            ref_texts.append(ref)
            same = out["text"] == ref if subword else out["tokens"] == r
            if not same and len(mistakes) < 10:
                mistakes.append({"source": src, "reference": ref, "output": out["text"]})
        return {"exact_match": exact_match([[t] for t in hyp_texts], [[t] for t in ref_texts]) if subword else exact_match(hyp_tokens, ref_tokens), "token_accuracy": token_accuracy(hyp_tokens, ref_tokens),
                "bleu": corpus_bleu(hyp_tokens, ref_tokens)["score"], "chrf": chrf(hyp_texts, ref_texts)["score"],
                "count": len(pairs), "mistakes": mistakes}


def format_metrics(m):
    return (f"exact match {100 * m['exact_match']:.2f}%  token accuracy {100 * m['token_accuracy']:.2f}%  "
            f"BLEU {m['bleu']:.2f}  chrF {m['chrf']:.2f}  ({m['count']} pairs)")
