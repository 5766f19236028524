#!/usr/bin/env python3
"""Fits the rational tanh of c_src/kernels.c: tanh(x) = x P(x^2) / Q(x^2) on [0, C], P and Q of
degree 4, minimax in relative error (linearised least squares re-weighted towards the largest
errors, Lawson style). Then the form the C code evaluates: Q divided by its leading coefficient
(monic, so Horner's first step is one add), the coefficients rounded to float, and P scaled down by
the fewest float steps that keep the float evaluation (clamp x, Horner in x^2, x*P/Q) at or below
1 for every float in [0, C] (checked exhaustively), so no clamp of the result is needed; the
function is odd in float, so that bounds it on [-C, C] too. Prints the coefficients as C
#defines and the float errors against double-precision tanh.

Needs numpy (Debian's python3-numpy: run with /usr/bin/python3 on machines where `python3` is
another interpreter). Usage: scripts/fit-tanh.py [C=9.02] [deg P=4] [deg Q=4]  (about a minute:
each exhaustive check is ~30 s)
"""
import sys

import numpy as np

C = float(sys.argv[1]) if len(sys.argv) > 1 else 9.02  # tanh(9.02) rounds to 1.0f
NP = int(sys.argv[2]) if len(sys.argv) > 2 else 4
NQ = int(sys.argv[3]) if len(sys.argv) > 3 else 4
ld = np.longdouble

x = np.unique(np.concatenate([C * np.sin(np.linspace(0, np.pi / 2, 4000, dtype=ld)), np.linspace(0, C, 4000, dtype=ld)]))
t = x * x / (C * C)  # fit in t = z / C^2 in [0, 1] (better conditioned), convert to z at the end
g = np.where(x == 0, ld(1), np.tanh(x) / np.where(x == 0, 1, x))  # tanh(x) / x
q_prev = np.ones_like(t)
w = np.ones_like(t) / len(t)
best = None
for _ in range(200):
    # unknowns p0..p_NP, q1..q_NQ (q0 = 1); residual (P - g Q) / (g Q_prev) ~ relative error
    A = np.stack([t**k for k in range(NP + 1)] + [-g * t**k for k in range(1, NQ + 1)], 1) / (g * q_prev)[:, None]
    rhs = 1 / q_prev
    sw = np.sqrt(w)
    As, bs = A * sw[:, None], rhs * sw
    sol = np.linalg.lstsq(As.astype(np.float64), bs.astype(np.float64), rcond=None)[0].astype(ld)
    sol += np.linalg.lstsq(As.astype(np.float64), (bs - As @ sol).astype(np.float64), rcond=None)[0].astype(ld)
    p, q = sol[:NP + 1], np.concatenate([[ld(1)], sol[NP + 1:]])
    P = sum(p[k] * t**k for k in range(NP + 1))
    Q = sum(q[k] * t**k for k in range(NQ + 1))
    err = np.abs(P / Q / g - 1)
    if best is None or err.max() < best[0]:
        best = (err.max(), p.copy(), q.copy())
    q_prev = Q
    w = w * err
    w /= w.sum()
m, p, q = best
f32 = np.float32
Pz = [p[k] / ld(C) ** (2 * k) for k in range(NP + 1)]
Qz = [q[k] / ld(C) ** (2 * k) for k in range(NQ + 1)]
Pz, Qz = [c / Qz[-1] for c in Pz], [c / Qz[-1] for c in Qz]  # Q monic


def evaluate(x, P32, Q32):
    """the float evaluation, operation for operation as s2s_tanh"""
    xc = np.minimum(np.maximum(x, f32(-C)), f32(C))
    z = xc * xc
    pp = P32[-1]
    for c in reversed(P32[:-1]):
        pp = (pp * z + c).astype(f32)
    qq = (z + Q32[-2]).astype(f32)
    for c in reversed(Q32[:-2]):
        qq = (qq * z + c).astype(f32)
    return ((xc * pp).astype(f32) / qq).astype(f32)


def largest_over_one(P32, Q32):
    """every float in [0, C]: the largest result (all it takes is one above 1)"""
    top = int(np.array([C], dtype=f32).view(np.uint32)[0])
    worst = f32(0)
    for start in range(0, top + 1, 1 << 24):
        x = np.arange(start, min(start + (1 << 24), top + 1), dtype=np.uint32).view(f32)
        worst = max(worst, evaluate(x, P32, Q32).max())
    return worst


Q32 = [f32(c) for c in Qz[:-1]] + [f32(1)]
for steps in range(0, 64):
    shrink = ld(1) - ld(steps) * ld(2) ** -24
    P32 = [f32(c * shrink) for c in Pz]
    top = largest_over_one(P32, Q32)
    if top <= 1:
        break
print(f"/* relative error in exact arithmetic: {float(m):.3g}; P scaled by 1 - {steps} * 2^-24: largest result on [0, C] {float(top)!r} */")
print(f"#define TANH_CLAMP {C}f")
for k, c in enumerate(P32):
    print(f"#define TP{k} {float(c)!r}f")
for k, c in enumerate(Q32[:-1]):
    print(f"#define TQ{k} {float(c)!r}f")

xs = np.concatenate([np.linspace(-12, 12, 2000001, dtype=f32), f32(np.logspace(-30, 1, 200000))]).astype(f32)
y = evaluate(xs, P32, Q32)
exact = np.tanh(xs.astype(np.float64))
ae = np.abs(y - exact)
re = ae / np.maximum(np.abs(exact), 1e-300)
print(f"/* float evaluation: max absolute error {ae.max():.3g}, max relative {re.max():.3g} (at x = {xs[re.argmax()]}); tanh(C) = {float(evaluate(np.array([C], dtype=f32), P32, Q32)[0])!r} */")
