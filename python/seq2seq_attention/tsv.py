"""Tab-separated pairs (lib/tasks/tsv.js in Python): the same parsing, checks and split.

`read_pairs` streams a file line by line (memory stays flat whatever its size); `from_tsv`
holds the pairs and splits them exactly as the JS library's fromTSV does (duplicates kept once,
all pairs of one source in the same split, sources shuffled with the JS generator), so a
Python run and a Node run on the same file and seed train and test on the same pairs.
"""

import zlib

from .errors import S2SError
from .rng import Random
from .text import js_trim

MAX_FIELD_LENGTH = 1000
MAX_PAIRS = 1000000  # the JS reader's default; the streaming reader has no such limit
MAX_BYTES = 64 * 1024 * 1024  # the JS reader's default


def parse_columns(text):
    """'--columns S,T' (1-based, as in the Node CLI) -> (s, t) 0-based."""
    parts = text.split(",")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        nums = []
    if len(nums) != 2 or any(n < 1 for n in nums) or nums[0] == nums[1] or any(n > 100 for n in nums):
        raise S2SError(f'--columns must be two different 1-based column numbers like 1,2 or 2,4, got "{text}"')
    return nums[0] - 1, nums[1] - 1


NOT_UTF8 = "the pairs file is not valid UTF-8 at {}: save it as UTF-8 (it may be Latin-1, or mix encodings) and try again"
UTF16 = "the pairs file is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8 and try again"


def _bad_utf8_column(line):
    """lib/tasks/tsv.js's whereNotUtf8 on one line's bytes: (1-based byte column, the byte there)."""
    bad = 0
    while bad < len(line):
        b = line[bad]
        n = 1 if b < 0x80 else 4 if b >= 0xF0 else 3 if b >= 0xE0 else 2
        try:
            line[bad: bad + n].decode("utf-8")
        except UnicodeDecodeError:
            break
        bad += n
    return bad + 1, line[min(bad, len(line) - 1)]


def _decode_line(raw, line_no):
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        column, value = _bad_utf8_column(raw)
        raise S2SError(NOT_UTF8.format(f"line {line_no}, column {column} (byte 0x{value:02X})"), "BAD_FILE") from None


def parse_line(raw, line_no, columns=(0, 1), max_field_length=MAX_FIELD_LENGTH):
    """One line (bytes or str, without its '\\n') -> (source, target), or None for a blank line."""
    if isinstance(raw, bytes):
        raw = _decode_line(raw, line_no)
    line = raw[:-1] if raw.endswith("\r") else raw
    if js_trim(line) == "":
        return None
    where = f"line {line_no}"
    cols = line.split("\t")
    source_column, target_column = columns
    needed = max(source_column, target_column) + 1
    if len(cols) < 2:
        raise S2SError(f"{where}: no tab found; each line must be source<TAB>target", "BAD_FILE")
    if len(cols) < needed:
        raise S2SError(f"{where}: {len(cols)} columns, but column {needed} is needed (columns option {list(columns)})", "BAD_FILE")
    source = js_trim(cols[source_column])
    target = js_trim(cols[target_column])
    if source == "":
        raise S2SError(f"{where}: the source (first column) is empty", "BAD_FILE")
    if target == "":
        raise S2SError(f"{where}: the target (second column) is empty", "BAD_FILE")
    for name, field in (("source", source), ("target", target)):
        if len(field) > max_field_length:
            raise S2SError(
                f"{where}: the {name} is {len(field)} characters; the limit is {max_field_length}: shorten or split it", "LIMIT")
    return source, target


def read_pairs(path, columns=(0, 1), max_field_length=MAX_FIELD_LENGTH):
    """Yields (source, target) from a UTF-8 TSV file, one line at a time."""
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        raise S2SError(f"cannot read {path}: no such file") from None
    with f:
        for line_no, raw in enumerate(f, 1):
            if raw.endswith(b"\n"):
                raw = raw[:-1]
            if line_no == 1 and raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
                raise S2SError(f"{path}: {UTF16}", "BAD_FILE")
            try:
                text = _decode_line(raw, line_no)
                if line_no == 1 and text.startswith("\ufeff"):
                    text = text[1:]
                pair = parse_line(text, line_no, columns, max_field_length)
            except S2SError as e:
                raise S2SError(f"{path}: {e}", e.code) from None
            if pair is not None:
                yield pair


def parse_tsv(data, columns=(0, 1), max_field_length=MAX_FIELD_LENGTH, max_pairs=MAX_PAIRS):
    """parseTSV on the whole contents (bytes or str)."""
    if isinstance(data, bytes):
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise S2SError(UTF16, "BAD_FILE")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            for i, line in enumerate(data.split(b"\n"), 1):
                _decode_line(line, i)
            raise S2SError(NOT_UTF8.format("a truncated character at the end"), "BAD_FILE") from None
    if data.startswith("\ufeff"):
        data = data[1:]
    pairs = []
    for i, line in enumerate(data.split("\n"), 1):
        pair = parse_line(line, i, columns, max_field_length)
        if pair is None:
            continue
        if len(pairs) >= max_pairs:
            raise S2SError(f"line {i}: more than {max_pairs} pairs; use a smaller file or raise max_pairs", "LIMIT")
        pairs.append(pair)
    if not pairs:
        raise S2SError("the pairs file has no pairs: write one source<TAB>target per line", "BAD_FILE")
    return pairs


def split_pairs(pairs, seed=1, test_fraction=0.1):
    """fromTSV's split: duplicates kept once, sources shuffled with the JS generator, the first
    floor(sources * test_fraction) sources (with all their pairs) held out. -> (train, test)."""
    if not (0 <= test_fraction < 1):
        raise S2SError("test fraction must be a number from 0 (no test split) up to but not including 1")
    by_source = {}
    seen = set()
    for pair in pairs:
        if pair in seen:
            continue
        seen.add(pair)
        by_source.setdefault(pair[0], []).append(pair)
    sources = Random(seed).shuffle(list(by_source))
    test_count = int(len(sources) * test_fraction)
    test = [p for s in sources[:test_count] for p in by_source[s]]
    train = [p for s in sources[test_count:] for p in by_source[s]]
    return train, test


def from_tsv(data, seed=1, test_fraction=0.1, columns=(0, 1), max_field_length=MAX_FIELD_LENGTH, max_pairs=MAX_PAIRS):
    """fromTSV: (train, test) from the file contents, the same pairs in the same order as JS."""
    return split_pairs(parse_tsv(data, columns, max_field_length, max_pairs), seed, test_fraction)


def held_out_by_hash(source, seed, test_fraction):
    """The streaming split: a source is held out when a CRC-32 of (seed, source) falls in the
    test fraction, so the same source always lands on the same side without remembering it."""
    h = zlib.crc32(source.encode("utf-8"), zlib.crc32(seed.to_bytes(4, "little")))
    return h < test_fraction * 4294967296.0
