"""Translate with a model file: texts as arguments, or one per line on stdin.

    python3 -m seq2seq_attention.translate --model M.s2s [--beam N] [--n-best N] [--json] [TEXT ...]
"""

import argparse
import json
import sys

from .errors import run_command
from .translator import Translator


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m seq2seq_attention.translate", description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True)
    p.add_argument("--beam", type=int, default=1, help="beam width (default 1: greedy)")
    p.add_argument("--n-best", type=int, default=1, help="hypotheses to show")
    p.add_argument("--max-length", type=int, help="longest output (default max(50, 2 x source + 10))")
    p.add_argument("--length-penalty", type=float, default=0.0, help="beam ranks by logP / len^X")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("texts", nargs="*")
    a = p.parse_args(sys.argv[1:] if argv is None else argv)
    texts = a.texts
    if not texts:
        if sys.stdin.isatty():
            p.error("give the texts to translate as arguments, or pipe them in one per line")
        texts = [line.rstrip("\n").rstrip("\r") for line in sys.stdin if line.strip() != ""]
        if not texts:
            p.error("no texts to translate: give them as arguments, or pipe them in one per line")
    model = Translator.load(a.model)
    for text in texts:
        r = model.translate(text, beam=a.beam, n_best=a.n_best, max_length=a.max_length, length_penalty=a.length_penalty)
        if a.json:
            print(json.dumps({"input": text, "text": r["text"], "score": r["score"], "logProb": r["log_prob"],
                              "unknown": r["unknown"], "nBest": [{"text": h["text"], "score": h["score"], "logProb": h["log_prob"]} for h in r["n_best"]]},
                             ensure_ascii=False))
            continue
        if a.n_best > 1:
            for k, h in enumerate(r["n_best"]):
                print(f"{k + 1}. {h['text']}\t(score {h['score']:.4f})")
        else:
            print(r["text"])
        if r["unknown"]:
            sys.stderr.write("note: not in the vocabulary, read as <unk>: "
                             + ", ".join(f"\"{u['symbol']}\" at {u['index']}" for u in r["unknown"]) + "\n")
    return 0


if __name__ == "__main__":
    run_command(main)
