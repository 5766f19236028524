"""Score a model file on every pair of a TSV file, with the JS library's metrics.

    python3 -m seq2seq_attention.eval --model M.s2s --data pairs.tsv [--columns S,T] [--beam N] [--limit N] [--json]
"""

import argparse
import json
import sys
import time

from .errors import S2SError, run_command
from .translator import Translator, format_metrics
from .tsv import parse_columns, read_pairs, split_pairs


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m seq2seq_attention.eval", description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--columns", default="1,2")
    p.add_argument("--beam", type=int, default=1)
    p.add_argument("--max-length", type=int)
    p.add_argument("--limit", type=int, help="score at most N pairs")
    p.add_argument("--json", action="store_true")
    a = p.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        columns = parse_columns(a.columns)
    except S2SError as e:
        p.error(str(e))
    if a.limit is not None and a.limit < 1:
        p.error("--limit must be an integer >= 1")
    model = Translator.load(a.model)
    # as the Node CLI: the file's distinct pairs, in the order fromTSV gives them (seed 1)
    pairs = split_pairs(list(read_pairs(a.data, columns)), 1, 0.0)[0]
    if a.limit is not None:
        pairs = pairs[: a.limit]
    if not pairs:
        raise S2SError(f"{a.data}: the pairs file has no pairs: write one source<TAB>target per line")
    started = time.time()
    m = model.evaluate(pairs, beam=a.beam, max_length=a.max_length)
    if a.json:
        print(json.dumps({"exactMatch": m["exact_match"], "tokenAccuracy": m["token_accuracy"], "bleu": m["bleu"],
                          "chrf": m["chrf"], "count": m["count"], "mistakes": m["mistakes"],
                          "elapsedMs": 1000 * (time.time() - started)}, ensure_ascii=False))
    else:
        print(f"{format_metrics(m)} in {time.time() - started:.1f}s")
        for x in m["mistakes"][:5]:
            print(f"  {x['source']}  ->  {x['output']}   (expected {x['reference']})")
    return 0


if __name__ == "__main__":
    run_command(main)
