"""The bpe tokenizer (byte-pair encoding with a byte fallback), from docs/tokenizers.md: the same
chunks, alphabet, merges, pieces and ids as lib/bpe.js for the same texts and vocabulary size.

Everything is on code points and UTF-8 bytes; Python's str order is the spec's order of strings.
"""

import heapq

from .errors import S2SError

MAX_CHUNK = 64
MIN_BPE_VOCABULARY_SIZE = 261
DEFAULT_BPE_VOCABULARY_SIZE = 2000
MAX_VOCABULARY_SIZE = 65536
MAX_TEXT_LENGTH = 100000
BYTE_COUNT = 256
SPECIALS = 4
BYTE_SYMBOLS = tuple(f"<0x{v:02X}>" for v in range(256))
_BYTE_VALUE = {s: v for v, s in enumerate(BYTE_SYMBOLS)}


def is_punctuation(cp):
    """The set P of docs/tokenizers.md."""
    if cp < 0x80:
        return 0x21 <= cp <= 0x2F or 0x3A <= cp <= 0x40 or 0x5B <= cp <= 0x60 or 0x7B <= cp <= 0x7E
    return (cp in (0xA1, 0xAB, 0xBB, 0xBF) or 0x2010 <= cp <= 0x2027 or 0x2030 <= cp <= 0x205E
            or 0x3000 <= cp <= 0x303F or 0xFF01 <= cp <= 0xFF0F or 0xFF1A <= cp <= 0xFF20
            or 0xFF3B <= cp <= 0xFF40 or 0xFF5B <= cp <= 0xFF65)


def split_chunks(text):
    """Section 1: text -> chunks (a space or a punctuation mark starts one; marks stand alone;
    at most MAX_CHUNK code points each). A lone surrogate is refused."""
    chunks = []
    start = 0
    length = 0
    prev_punct = False
    for i, ch in enumerate(text):
        cp = ord(ch)
        if 0xD800 <= cp <= 0xDFFF:
            raise S2SError(f"the text has a lone surrogate (U+{cp:04X}) at index {i}: it is not valid Unicode; fix the text's encoding")
        punct = is_punctuation(cp)
        if i > 0 and (cp == 0x20 or punct or prev_punct or length == MAX_CHUNK):
            chunks.append(text[start:i])
            start = i
            length = 0
        length += 1
        prev_punct = punct
    if text:
        chunks.append(text[start:])
    return chunks


def _initial(chunk, alphabet):
    """Section 2.5: symbol indexes; characters outside the alphabet as their UTF-8 bytes."""
    out = []
    for ch in chunk:
        s = alphabet.get(ch)
        if s is not None:
            out.append(s)
        else:
            out.extend(ch.encode("utf-8"))
    return out


class BpeTokenizer:
    """A learned tokenizer: BpeTokenizer.learn(texts, vocab_size) or BpeTokenizer.from_json(...)."""

    name = "bpe"

    def __init__(self, model):
        if not isinstance(model, dict) or not isinstance(model.get("alphabet"), list) or not isinstance(model.get("merges"), list):
            raise S2SError("a bpe tokenizer needs { alphabet: [characters], merges: [[x, y], ...] }")
        symbols = list(BYTE_SYMBOLS)
        index = {s: i for i, s in enumerate(symbols)}
        alphabet = {}
        for i, c in enumerate(model["alphabet"]):
            if not isinstance(c, str) or len(c) != 1 or 0xD800 <= ord(c) <= 0xDFFF:
                raise S2SError(f"bpe alphabet[{i}] must be one Unicode character, got {c!r}")
            if c in index:
                raise S2SError(f"bpe alphabet[{i}] {c!r} appears twice")
            alphabet[c] = len(symbols)
            index[c] = len(symbols)
            symbols.append(c)
        ranks = {}
        for r, m in enumerate(model["merges"]):
            if not isinstance(m, list) or len(m) != 2 or not all(isinstance(x, str) for x in m):
                raise S2SError(f"bpe merges[{r}] must be a pair of strings [x, y]")
            x, y = index.get(m[0]), index.get(m[1])
            if x is None or y is None or x < BYTE_COUNT or y < BYTE_COUNT:
                raise S2SError(f"bpe merges[{r}] {m!r} joins a string that is not a symbol made before it (or a byte symbol)")
            merged = m[0] + m[1]
            z = index.get(merged)
            if z is None:
                z = len(symbols)
                if z + SPECIALS >= MAX_VOCABULARY_SIZE + 1:
                    raise S2SError(f"bpe merges make more than {MAX_VOCABULARY_SIZE} symbols", "LIMIT")
                index[merged] = z
                symbols.append(merged)
            ranks.setdefault((x, y), (r, z))
        self._alphabet_list = list(model["alphabet"])
        self._merges = [list(m) for m in model["merges"]]
        self._symbols = symbols
        self._alphabet = alphabet
        self._ranks = ranks
        self._cache = {}

    @staticmethod
    def count_chunks(texts, counts=None):
        """Section 2.1: chunk -> count, added to `counts` (so a streamed corpus can be counted line by line)."""
        counts = {} if counts is None else counts
        for text in texts:
            if not isinstance(text, str):
                raise S2SError("bpe: every text must be a string")
            for c in split_chunks(text):
                counts[c] = counts.get(c, 0) + 1
        return counts

    @classmethod
    def learn(cls, texts, vocab_size=DEFAULT_BPE_VOCABULARY_SIZE):
        return cls.learn_from_counts(cls.count_chunks(texts), vocab_size)

    @classmethod
    def learn_from_counts(cls, chunk_counts, vocab_size=DEFAULT_BPE_VOCABULARY_SIZE):
        """Section 2 from the chunk counts (the result depends on the counts alone)."""
        if not isinstance(vocab_size, int) or isinstance(vocab_size, bool) or not MIN_BPE_VOCABULARY_SIZE <= vocab_size <= MAX_VOCABULARY_SIZE:
            raise S2SError(f"vocabSize must be an integer from {MIN_BPE_VOCABULARY_SIZE} (4 specials, 256 bytes, 1 character) "
                           f"to {MAX_VOCABULARY_SIZE}, got {vocab_size!r}",
                           "LIMIT" if isinstance(vocab_size, int) and vocab_size > MAX_VOCABULARY_SIZE else "BAD_ARGUMENT")
        char_counts = {}
        for chunk, n in chunk_counts.items():
            for ch in chunk:
                char_counts[ch] = char_counts.get(ch, 0) + n
        order = sorted(char_counts.items(), key=lambda kv: (-kv[1], ord(kv[0])))
        alphabet_chars = [c for c, _ in order[: max(0, vocab_size - SPECIALS - BYTE_COUNT)]]
        symbols = list(BYTE_SYMBOLS)
        index = {s: i for i, s in enumerate(symbols)}
        alphabet = {}
        for c in alphabet_chars:
            alphabet[c] = index[c] = len(symbols)
            symbols.append(c)
        words = []
        counts = []
        for chunk, n in chunk_counts.items():
            words.append(_initial(chunk, alphabet))
            counts.append(n)
        pair_count = {}
        pair_words = {}
        for w, word in enumerate(words):
            n = counts[w]
            for x, y in zip(word, word[1:]):
                if x < BYTE_COUNT or y < BYTE_COUNT:
                    continue
                pair_count[(x, y)] = pair_count.get((x, y), 0) + n
                lst = pair_words.setdefault((x, y), [])
                if not lst or lst[-1] != w:
                    lst.append(w)
        heap = [(-c, symbols[k[0]], symbols[k[1]], k) for k, c in pair_count.items() if c >= 2]
        heapq.heapify(heap)
        merges = []
        seen = [-1] * len(words)
        while SPECIALS + len(symbols) < vocab_size and heap:
            negc, _, _, key = heapq.heappop(heap)
            if pair_count.get(key) != -negc:
                continue  # stale
            x, y = key
            merges.append([symbols[x], symbols[y]])
            merged = symbols[x] + symbols[y]
            z = index.get(merged)
            if z is None:
                z = index[merged] = len(symbols)
                symbols.append(merged)
            stamp = len(merges)
            delta = {}
            for w in pair_words.get(key, ()):
                if seen[w] == stamp:
                    continue
                seen[w] = stamp
                word = words[w]
                if not any(word[i] == x and word[i + 1] == y for i in range(len(word) - 1)):
                    continue
                n = counts[w]
                for a, b in zip(word, word[1:]):
                    if a >= BYTE_COUNT and b >= BYTE_COUNT:
                        delta[(a, b)] = delta.get((a, b), 0) - n
                out = []
                i = 0
                L = len(word)
                while i < L:
                    if i + 1 < L and word[i] == x and word[i + 1] == y:
                        out.append(z)
                        i += 2
                    else:
                        out.append(word[i])
                        i += 1
                words[w] = out
                for a, b in zip(out, out[1:]):
                    if a < BYTE_COUNT or b < BYTE_COUNT:
                        continue
                    delta[(a, b)] = delta.get((a, b), 0) + n
                    if a == z or b == z:
                        lst = pair_words.setdefault((a, b), [])
                        if not lst or lst[-1] != w:
                            lst.append(w)
            for k, d in delta.items():
                if d == 0:
                    continue
                c = pair_count.get(k, 0) + d
                if c <= 0:
                    pair_count.pop(k, None)
                    pair_words.pop(k, None)
                else:
                    pair_count[k] = c
                    if c >= 2:
                        heapq.heappush(heap, (-c, symbols[k[0]], symbols[k[1]], k))
        return cls({"alphabet": alphabet_chars, "merges": merges})

    @property
    def symbols(self):
        """The symbols after the 4 specials, in id order (id = 4 + index)."""
        return list(self._symbols)

    @property
    def vocabulary_size(self):
        return len(self._symbols) + SPECIALS

    def tokenize(self, text):
        """Section 3: the pieces of a text."""
        if not isinstance(text, str):
            raise S2SError(f"text must be a string, got {type(text).__name__}")
        n = len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF) if len(text) * 2 > MAX_TEXT_LENGTH else len(text)
        if n > MAX_TEXT_LENGTH:
            raise S2SError(f"text is {n} characters long; the limit is {MAX_TEXT_LENGTH}: split it into shorter pieces", "LIMIT")
        out = []
        sym = self._symbols
        for chunk in split_chunks(text):
            out.extend(sym[s] for s in self._encode_chunk(chunk))
        return out

    def _encode_chunk(self, chunk):
        cached = self._cache.get(chunk)
        if cached is not None:
            return cached
        word = _initial(chunk, self._alphabet)
        ranks = self._ranks
        inf = float("inf")

        def rank_at(i):
            a, b = word[i], word[i + 1]
            if a < BYTE_COUNT or b < BYTE_COUNT:
                return inf
            r = ranks.get((a, b))
            return inf if r is None else r[0]

        pr = [rank_at(i) for i in range(len(word) - 1)]
        while pr:
            best_rank = min(pr)
            if best_rank == inf:
                break
            best = pr.index(best_rank)  # the leftmost of the lowest rank
            word[best] = ranks[(word[best], word[best + 1])][1]
            del word[best + 1]
            del pr[best]
            if best > 0:
                pr[best - 1] = rank_at(best - 1)
            if best < len(pr):
                pr[best] = rank_at(best)
        if len(self._cache) >= 100000:
            self._cache.clear()
        self._cache[chunk] = word
        return word

    def detokenize(self, pieces):
        """Section 4: runs of byte symbols decoded as UTF-8 (ill-formed -> U+FFFD), '<unk>' -> U+FFFD."""
        out = []
        run = bytearray()
        for p in pieces:
            v = _BYTE_VALUE.get(p)
            if v is not None:
                run.append(v)
                continue
            if run:
                out.append(run.decode("utf-8", "replace"))
                run = bytearray()
            out.append("\ufffd" if p == "<unk>" else p)
        if run:
            out.append(run.decode("utf-8", "replace"))
        return "".join(out)

    def to_json(self):
        return {"alphabet": list(self._alphabet_list), "merges": [list(m) for m in self._merges]}

    @classmethod
    def from_json(cls, value):
        return cls(value)
