#!/usr/bin/env python3
"""Fits the rational tanh of c_src/kernels.c: tanh(x) = x P(x^2) / Q(x^2) on [0, C], P and Q of
degree 4, minimax in relative error (linearised least squares re-weighted towards the largest
errors, Lawson style). Then the form the C code evaluates: Q divided by its leading coefficient
(monic, so Horner's first step is one add), the coefficients rounded to float, and P scaled down by
the fewest float steps that keep the float evaluation (clamp x, Horner in x^2, x*P/Q) at or below
its bound for every float from where it could reach it up to the clamp (checked exhaustively), so
no clamp of the result is needed; the evaluation is odd in float, so that bounds it on [-C, C]
too. With --sigmoid also the sigmoid the C code derives from it: sigmoid(x) = 1/2 + tanh(x/2)/2 =
1/2 + x P'(x^2) / Q'(x^2) with the coefficients rescaled (exactly, before rounding), clamp 2C and
bound 1/2, so the sigmoid stays in [0, 1]. Prints the coefficients as C #defines and the float
errors against double precision (tanh relative and absolute, sigmoid absolute).

Needs numpy (Debian's python3-numpy: run with /usr/bin/python3 on machines where `python3` is
another interpreter). Usage: scripts/fit-tanh.py [--sigmoid] [C=9.02] [deg P=4] [deg Q=4]
(about half a minute)
"""
import sys

import numpy as np

args = [v for v in sys.argv[1:] if not v.startswith("--")]
C = float(args[0]) if len(args) > 0 else 9.02  # tanh(9.02) rounds to 1.0f
NP = int(args[1]) if len(args) > 1 else 4
NQ = int(args[2]) if len(args) > 2 else 4
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


def evaluate(x, clamp, P32, Q32):
    """x P(x^2) / Q(x^2) in float on x clamped to +-clamp, operation for operation as the C code"""
    xc = np.minimum(np.maximum(x, f32(-clamp)), f32(clamp))
    z = xc * xc
    pp = P32[-1]
    for c in reversed(P32[:-1]):
        pp = (pp * z + c).astype(f32)
    qq = (z + Q32[-2]).astype(f32)
    for c in reversed(Q32[:-2]):
        qq = (qq * z + c).astype(f32)
    return ((xc * pp).astype(f32) / qq).astype(f32)


def largest(lo, clamp, P32, Q32):
    """the largest result over every float in [lo, clamp] (below lo the result is far from the
    bound: the dense sweep's error is orders of magnitude smaller than the distance)"""
    bits = np.array([lo, clamp], dtype=f32).view(np.uint32)
    worst = f32(0)
    for start in range(int(bits[0]), int(bits[1]) + 1, 1 << 24):
        x = np.arange(start, min(start + (1 << 24), int(bits[1]) + 1), dtype=np.uint32).view(f32)
        worst = max(worst, evaluate(x, clamp, P32, Q32).max())
    return worst


def fit_form(name, prefix, clamp_name, clamp, Pz, Qz, bound, lo, exact, offset):
    """rounds to float, scales P down by the fewest 2^-24 steps that keep the result <= bound on
    [0, clamp] (odd in float, so >= -bound on [-clamp, 0]), prints #defines and errors"""
    Q32 = [f32(c) for c in Qz[:-1]] + [f32(1)]
    for steps in range(0, 64):
        shrink = ld(1) - ld(steps) * ld(2) ** -24
        P32 = [f32(c * shrink) for c in Pz]
        top = largest(lo, clamp, P32, Q32)
        if top <= bound:
            break
    print(f"/* {name}: P scaled by 1 - {steps} * 2^-24, largest x P/Q on [{lo}, {clamp}] {float(top)!r} */")
    print(f"#define {clamp_name} {clamp}f")
    for k, c in enumerate(P32):
        print(f"#define {prefix}P{k} {float(c)!r}f")
    for k, c in enumerate(Q32[:-1]):
        print(f"#define {prefix}Q{k} {float(c)!r}f")
    xs = np.concatenate([np.linspace(-2 * clamp, 2 * clamp, 4000001, dtype=f32), f32(np.logspace(-30, 1.3, 200000))]).astype(f32)
    y = (evaluate(xs, clamp, P32, Q32) + f32(offset)).astype(f32)
    want = exact(xs.astype(np.float64))
    ae = np.abs(y - want)
    re = ae / np.maximum(np.abs(want), 1e-300)
    print(f"/* {name} in float: max absolute error {ae.max():.3g} (at x = {xs[ae.argmax()]}), max relative {re.max():.3g}; at the clamp {float(y[xs.argmax()])!r} */")


print(f"/* relative error of the tanh rational in exact arithmetic: {float(m):.3g} */")
fit_form("tanh", "T", "TANH_CLAMP", C, Pz, Qz, 1, 4.0, np.tanh, 0)
if "--sigmoid" in sys.argv:
    # sigmoid(x) = 0.5 + 0.5 tanh(x / 2) = 0.5 + x P(x^2 / 4) / (4 Q(x^2 / 4)), Q made monic again
    Ps = [Pz[k] / ld(4) ** (k + 1) for k in range(NP + 1)]
    Qs = [Qz[k] / ld(4) ** k for k in range(NQ + 1)]
    Ps, Qs = [c / Qs[-1] for c in Ps], [c / Qs[-1] for c in Qs]
    fit_form("sigmoid - 1/2", "S", "SIGMOID_CLAMP", 2 * C, Ps, Qs, 0.5, 8.0, lambda v: 1 / (1 + np.exp(-v)), 0.5)
