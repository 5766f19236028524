"""lib/metrics.js in Python: exact match, token accuracy, sacreBLEU's corpus BLEU and chrF,
the same numbers for the same inputs."""

import math

from .text import JS_WHITESPACE, js_trim


def exact_match(hyps, refs):
    if len(hyps) != len(refs):
        raise ValueError(f"exactMatch: {len(hyps)} hypotheses but {len(refs)} references")
    if not hyps:
        return 0.0
    same = 0
    for h, r in zip(hyps, refs):
        if isinstance(h, (list, tuple)) and isinstance(r, (list, tuple)):
            same += list(h) == list(r)
        else:
            same += h == r
    return same / len(hyps)


def token_accuracy(hyps, refs):
    if len(hyps) != len(refs):
        raise ValueError(f"tokenAccuracy: {len(hyps)} hypotheses but {len(refs)} references")
    if not hyps:
        return 0.0
    correct = total = 0
    for h, r in zip(hyps, refs):
        total += max(len(h), len(r))
        correct += sum(1 for a, b in zip(h, r) if a == b)
    return 1.0 if total == 0 else correct / total


def _ngrams(tokens, n):
    counts = {}
    for i in range(len(tokens) - n + 1):
        key = tokens[i] if n == 1 else tuple(tokens[i: i + n])
        counts[key] = counts.get(key, 0) + 1
    return counts


def _clipped(h, r):
    return sum(min(c, r.get(k, 0)) for k, c in h.items())


def corpus_bleu(hyps, refs, max_order=4):
    """-> dict(score, precisions, brevity_penalty, ...) on the 0-100 scale (sacreBLEU defaults)."""
    if len(hyps) != len(refs):
        raise ValueError(f"corpusBleu: {len(hyps)} hypotheses but {len(refs)} references")
    matches = [0] * max_order
    totals = [0] * max_order
    sys_len = ref_len = 0
    for h, r in zip(hyps, refs):
        h = [s for s in h if js_trim(s) != ""]
        r = [s for s in r if js_trim(s) != ""]
        sys_len += len(h)
        ref_len += len(r)
        for n in range(1, max_order + 1):
            matches[n - 1] += _clipped(_ngrams(h, n), _ngrams(r, n))
            totals[n - 1] += max(0, len(h) - n + 1)
    bp = 1.0 if sys_len >= ref_len else (math.exp(1 - ref_len / sys_len) if sys_len > 0 else 0.0)
    precisions = [0.0] * max_order
    result = {"score": 0.0, "precisions": precisions, "brevity_penalty": bp, "system_length": sys_len,
              "reference_length": ref_len, "matches": matches, "totals": totals}
    if all(m == 0 for m in matches):
        return result
    smooth = 1
    for n in range(max_order):
        if totals[n] == 0:
            break
        if matches[n] == 0:
            smooth *= 2
            precisions[n] = 100 / (smooth * totals[n])
        else:
            precisions[n] = 100 * matches[n] / totals[n]
    if any(p == 0 for p in precisions):
        return result
    result["score"] = bp * math.exp(sum(math.log(p) for p in precisions) / max_order)
    return result


def chrf(hyps, refs, order=6, beta=2):
    """-> dict(score, precision, recall) on the 0-100 scale (sacreBLEU's CHRF defaults)."""
    if len(hyps) != len(refs):
        raise ValueError(f"chrF: {len(hyps)} hypotheses but {len(refs)} references")
    hc_tot = [0] * order
    rc_tot = [0] * order
    common = [0] * order
    for h, r in zip(hyps, refs):
        h = [c for c in h if c not in JS_WHITESPACE]
        r = [c for c in r if c not in JS_WHITESPACE]
        for n in range(1, order + 1):
            hc_tot[n - 1] += max(0, len(h) - n + 1)
            rc_tot[n - 1] += max(0, len(r) - n + 1)
            common[n - 1] += _clipped(_ngrams(h, n), _ngrams(r, n))
    precision = recall = 0.0
    effective = 0
    for n in range(order):
        if hc_tot[n] > 0 and rc_tot[n] > 0:
            precision += common[n] / hc_tot[n]
            recall += common[n] / rc_tot[n]
            effective += 1
    if effective:
        precision /= effective
        recall /= effective
    b2 = beta * beta
    score = 0.0 if precision + recall == 0 else 100 * (1 + b2) * precision * recall / (b2 * precision + recall)
    return {"score": score, "precision": 100 * precision, "recall": 100 * recall}
