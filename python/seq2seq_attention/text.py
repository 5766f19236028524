"""Strings to symbols to token ids and back: lib/text.js in Python, giving the same ids.

The tokenizers, the Vocabulary (ids 0 PAD, 1 BOS, 2 EOS, 3 UNK, then the symbols, most frequent
first, ties in order of first appearance) and the limits are those of the JavaScript library.
Where JavaScript and Python disagree on a definition, JavaScript's is used: whitespace is the
ECMAScript `\\s` set, letters/marks/numbers are Unicode general categories L*, M* and N*, and text
length limits count UTF-16 code units.
"""

import unicodedata

from .errors import S2SError

PAD, BOS, EOS, UNK = 0, 1, 2, 3
SPECIAL_SYMBOLS = ("<pad>", "<s>", "</s>", "<unk>")

MAX_SEQUENCE_LENGTH = 1024  # S2S_MAX_LENGTH
MAX_VOCABULARY_SIZE = 65536  # S2S_MAX_VOCAB
MAX_TEXT_LENGTH = 100000  # UTF-16 code units

# ECMAScript WhiteSpace and LineTerminator: what \s matches and String.prototype.trim removes.
JS_WHITESPACE = frozenset(
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)

ATTACH_LEFT = frozenset([".", ",", "!", "?", ";", ":", ")", "]", "}", "%", "…", "»"])
ATTACH_RIGHT = frozenset(["(", "[", "{", "¿", "¡", "«", "$"])
ATTACH_BOTH = frozenset(["'", "’", "-", "/"])


def js_trim(s):
    """String.prototype.trim."""
    start, end = 0, len(s)
    while start < end and s[start] in JS_WHITESPACE:
        start += 1
    while end > start and s[end - 1] in JS_WHITESPACE:
        end -= 1
    return s[start:end]


def utf16_length(s):
    """JavaScript's string length: UTF-16 code units."""
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


def _is_word_char(ch, _cache={}):
    v = _cache.get(ch)
    if v is None:
        v = _cache[ch] = unicodedata.category(ch)[0] in "LMN"
    return v


def _check_text(text, what="text"):
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a string, got {type(text).__name__}")
    n = utf16_length(text) if len(text) * 2 > MAX_TEXT_LENGTH else len(text)
    if n > MAX_TEXT_LENGTH:
        raise ValueError(f"{what} is {n} characters long; the limit is {MAX_TEXT_LENGTH}: split it into shorter pieces")


class CharTokenizer:
    """One symbol per Unicode code point (Array.from(text) in JS); whitespace is a symbol."""

    name = "char"

    def tokenize(self, text):
        _check_text(text)
        return list(text)

    def detokenize(self, symbols):
        return "".join(symbols)


class WordTokenizer:
    """Runs of letters, marks and digits are words; every other non-space character is a symbol
    of its own; whitespace only separates (/[\\p{L}\\p{M}\\p{N}]+|[^\\s\\p{L}\\p{M}\\p{N}]/gu)."""

    name = "word"

    def tokenize(self, text):
        _check_text(text)
        out = []
        run = []
        for ch in text:
            if _is_word_char(ch):
                run.append(ch)
                continue
            if run:
                out.append("".join(run))
                run = []
            if ch not in JS_WHITESPACE:
                out.append(ch)
        if run:
            out.append("".join(run))
        return out

    def detokenize(self, symbols):
        parts = []
        for i, s in enumerate(symbols):
            if i > 0:
                prev = symbols[i - 1]
                glue = s in ATTACH_LEFT or s in ATTACH_BOTH or prev in ATTACH_RIGHT or prev in ATTACH_BOTH
                if not glue:
                    parts.append(" ")
            parts.append(s)
        return "".join(parts)


char_tokenizer = CharTokenizer()
word_tokenizer = WordTokenizer()
TOKENIZERS = {"char": char_tokenizer, "word": word_tokenizer}
# 'bpe' is learned from texts (bpe.py, docs/tokenizers.md); char and word are fixed
TOKENIZER_NAMES = ("char", "word", "bpe")


def _check_name(name):
    if not isinstance(name, str) or name not in TOKENIZER_NAMES:
        raise S2SError(f"unknown tokenizer {name!r}: use 'char', 'word' or 'bpe'")


def get_tokenizer(name):
    """The fixed tokenizer with this name ('bpe' is learned: BpeTokenizer.learn)."""
    _check_name(name)
    if name not in TOKENIZERS:
        raise S2SError(f"the {name} tokenizer is learned from texts: make one with BpeTokenizer.learn(texts, vocab_size)")
    return TOKENIZERS[name]


def resolve_tokenizer_names(option="char"):
    """'char' | 'word' | 'bpe' | {'source':..., 'target':...} -> {'source': name, 'target': name}."""
    if isinstance(option, str):
        _check_name(option)
        return {"source": option, "target": option}
    if isinstance(option, dict):
        source = option.get("source", "char")
        target = option.get("target", "char")
        _check_name(source)
        _check_name(target)
        return {"source": source, "target": target}
    raise S2SError("tokenizer must be 'char', 'word', 'bpe' or { source: 'char'|'word'|'bpe', target: 'char'|'word'|'bpe' }")


class Vocabulary:
    """symbol <-> id; ids 0..3 are PAD, BOS, EOS, UNK; symbols follow (id = index + 4)."""

    def __init__(self, symbols):
        if not isinstance(symbols, (list, tuple)):
            raise TypeError("Vocabulary needs a list of symbols")
        if len(symbols) + 4 > MAX_VOCABULARY_SIZE:
            raise ValueError(
                f"vocabulary has {len(symbols) + 4} entries; the limit is {MAX_VOCABULARY_SIZE}: "
                "pass max_size to keep the most frequent symbols")
        self._symbols = list(symbols)
        self._ids = {}
        for i, s in enumerate(self._symbols):
            if not isinstance(s, str) or s == "":
                raise TypeError(f"vocabulary symbol {i} must be a non-empty string")
            if s in self._ids:
                raise ValueError(f"vocabulary symbol {s!r} appears twice")
            self._ids[s] = i + 4

    @staticmethod
    def count(texts, tokenizer, counts=None):
        """Adds the symbol counts of texts to `counts` (a dict in first-appearance order)."""
        counts = {} if counts is None else counts
        for text in texts:
            for s in tokenizer.tokenize(text):
                counts[s] = counts.get(s, 0) + 1
        return counts

    @classmethod
    def from_counts(cls, counts, max_size=MAX_VOCABULARY_SIZE, min_count=1):
        if not isinstance(max_size, int) or max_size < 5 or max_size > MAX_VOCABULARY_SIZE:
            raise ValueError(f"max_size must be an integer from 5 to {MAX_VOCABULARY_SIZE}")
        if not isinstance(min_count, int) or min_count < 1:
            raise ValueError("min_count must be an integer >= 1")
        # dicts keep first-appearance order and sorted() is stable: ties stay in that order
        kept = [(s, c) for s, c in counts.items() if c >= min_count]
        kept = sorted(kept, key=lambda sc: -sc[1])
        return cls([s for s, _ in kept[: max_size - 4]])

    @classmethod
    def from_texts(cls, texts, tokenizer, max_size=MAX_VOCABULARY_SIZE, min_count=1):
        """Vocabulary.fromTexts: the same symbols in the same order for the same texts."""
        return cls.from_counts(cls.count(texts, tokenizer), max_size, min_count)

    @property
    def size(self):
        return len(self._symbols) + 4

    def __len__(self):
        return self.size

    @property
    def symbols(self):
        return list(self._symbols)

    def id(self, symbol):
        return self._ids.get(symbol, UNK)

    def has(self, symbol):
        return symbol in self._ids

    def symbol(self, i):
        if not isinstance(i, int) or i < 0 or i >= self.size:
            raise ValueError(f"token id {i} is outside this vocabulary (0..{self.size - 1})")
        return SPECIAL_SYMBOLS[i] if i < 4 else self._symbols[i - 4]

    def encode(self, symbols):
        """symbols -> (ids, unknown) where unknown lists {'symbol', 'index'} of symbols read as UNK."""
        ids = []
        unknown = []
        get = self._ids.get
        for i, s in enumerate(symbols):
            v = get(s)
            if v is None:
                ids.append(UNK)
                unknown.append({"symbol": s, "index": i})
            else:
                ids.append(v)
        return ids, unknown

    def decode(self, ids):
        """ids -> symbols, stopping at the first EOS and skipping PAD and BOS."""
        out = []
        for i in ids:
            i = int(i)
            if i == EOS:
                break
            if i in (PAD, BOS):
                continue
            out.append(self.symbol(i))
        return out

    def to_json(self):
        return list(self._symbols)

    @classmethod
    def from_json(cls, value):
        if not isinstance(value, list):
            raise ValueError("vocabulary in the model file is not a list of symbols")
        return cls(value)
