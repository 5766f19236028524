/* simd.h: the small SIMD layer. Four-lane float vectors mapped to wasm SIMD128 or SSE2, or absent.
 *
 * S2S_SIMD is 1 when a vector path exists (wasm with -msimd128, or x86 with SSE2), else 0.
 * The double-precision build (-DS2S_DOUBLE) and -DS2S_NO_SIMD always use the scalar paths.
 * Only operations whose results are bitwise those of the scalar code are offered (no fused
 * multiply-add), so the elementwise kernels give identical numbers on every path.
 *
 * The one exception is F32X4_MADD(acc, a, b) = acc + a * b, used by the products (GEMMs, dot,
 * axpy, score sums): a multiply then an add everywhere, except in the FMA build (clang-19 with
 * -mrelaxed-simd, `make build/wasm/s2s-fma.wasm`), where it is WebAssembly's f32x4.relaxed_madd:
 * one fused multiply-add on CPUs that have it, so that build rounds differently (S2S_FMA = 1) and
 * is compared with the others within a tolerance, not bitwise. The elementwise math never uses it.
 */
#ifndef S2S_SIMD_H
#define S2S_SIMD_H

#if defined(S2S_DOUBLE) || defined(S2S_NO_SIMD)
#define S2S_SIMD 0
#elif defined(__wasm_simd128__)
#define S2S_SIMD 1
#include <wasm_simd128.h>
typedef v128_t f32x4;
typedef v128_t i32x4;
#define F32X4_LOAD(p) wasm_v128_load(p)
#define F32X4_STORE(p, v) wasm_v128_store((p), (v))
#define F32X4_SPLAT(x) wasm_f32x4_splat(x)
#define F32X4_ADD(a, b) wasm_f32x4_add((a), (b))
#define F32X4_SUB(a, b) wasm_f32x4_sub((a), (b))
#define F32X4_MUL(a, b) wasm_f32x4_mul((a), (b))
#define F32X4_DIV(a, b) wasm_f32x4_div((a), (b))
#define F32X4_SQRT(a) wasm_f32x4_sqrt(a)
#ifdef __wasm_relaxed_simd__
#define S2S_FMA 1
#define F32X4_MADD(acc, a, b) wasm_f32x4_relaxed_madd((a), (b), (acc))
#else
#define F32X4_MADD(acc, a, b) wasm_f32x4_add((acc), wasm_f32x4_mul((a), (b)))
#endif
#define F32X4_MAX(a, b) wasm_f32x4_pmax((a), (b))
#define F32X4_MIN(a, b) wasm_f32x4_pmin((a), (b))
#define F32X4_LT(a, b) wasm_f32x4_lt((a), (b))
#define F32X4_ABS(a) wasm_f32x4_abs(a)
#define F32X4_SELECT(mask, a, b) wasm_v128_bitselect((a), (b), (mask)) /* mask ? a : b */
#define F32X4_AND(a, b) wasm_v128_and((a), (b))
#define F32X4_XOR(a, b) wasm_v128_xor((a), (b))
#define F32X4_TO_I32(a) wasm_i32x4_trunc_sat_f32x4(a)
#define I32X4_TO_F32(a) wasm_f32x4_convert_i32x4(a)
#define I32X4_ADD(a, b) wasm_i32x4_add((a), (b))
#define I32X4_SPLAT(x) wasm_i32x4_splat(x)
#define I32X4_SHL(a, n) wasm_i32x4_shl((a), (n))
#define I32X4_AS_F32(a) (a)
#define F32X4_AS_I32(a) (a)
#define I32X4_SUB(a, b) wasm_i32x4_sub((a), (b))
/* floor: one roundps where the CPU has SSE4.1 */
#define F32X4_FLOOR(a) wasm_f32x4_floor(a)
/* [sum a0, sum a1, sum a2, sum a3] */
static inline f32x4 f32x4_reduce4(f32x4 a0, f32x4 a1, f32x4 a2, f32x4 a3) {
  f32x4 t0 = wasm_f32x4_add(wasm_i32x4_shuffle(a0, a1, 0, 4, 1, 5), wasm_i32x4_shuffle(a0, a1, 2, 6, 3, 7));
  f32x4 t1 = wasm_f32x4_add(wasm_i32x4_shuffle(a2, a3, 0, 4, 1, 5), wasm_i32x4_shuffle(a2, a3, 2, 6, 3, 7));
  return wasm_f32x4_add(wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5), wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
}
/* the 4 x 4 block of rows a0..a3 stored transposed: d[4j + i] = lane j of ai */
static inline void f32x4_store_transposed4(float *d, f32x4 a0, f32x4 a1, f32x4 a2, f32x4 a3) {
  f32x4 lo01 = wasm_i32x4_shuffle(a0, a1, 0, 4, 1, 5), hi01 = wasm_i32x4_shuffle(a0, a1, 2, 6, 3, 7);
  f32x4 lo23 = wasm_i32x4_shuffle(a2, a3, 0, 4, 1, 5), hi23 = wasm_i32x4_shuffle(a2, a3, 2, 6, 3, 7);
  wasm_v128_store(d, wasm_i32x4_shuffle(lo01, lo23, 0, 1, 4, 5));
  wasm_v128_store(d + 4, wasm_i32x4_shuffle(lo01, lo23, 2, 3, 6, 7));
  wasm_v128_store(d + 8, wasm_i32x4_shuffle(hi01, hi23, 0, 1, 4, 5));
  wasm_v128_store(d + 12, wasm_i32x4_shuffle(hi01, hi23, 2, 3, 6, 7));
}
static inline float f32x4_sum(f32x4 v) {
  f32x4 t = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  t = wasm_f32x4_add(t, wasm_i32x4_shuffle(t, t, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(t, 0);
}
static inline float f32x4_hmax(f32x4 v) {
  f32x4 t = wasm_f32x4_pmax(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  t = wasm_f32x4_pmax(t, wasm_i32x4_shuffle(t, t, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(t, 0);
}
#elif defined(__SSE2__)
#define S2S_SIMD 1
#include <emmintrin.h>
typedef __m128 f32x4;
typedef __m128i i32x4;
#define F32X4_LOAD(p) _mm_loadu_ps(p)
#define F32X4_STORE(p, v) _mm_storeu_ps((p), (v))
#define F32X4_SPLAT(x) _mm_set1_ps(x)
#define F32X4_ADD(a, b) _mm_add_ps((a), (b))
#define F32X4_SUB(a, b) _mm_sub_ps((a), (b))
#define F32X4_MUL(a, b) _mm_mul_ps((a), (b))
#define F32X4_DIV(a, b) _mm_div_ps((a), (b))
#define F32X4_SQRT(a) _mm_sqrt_ps(a)
#define F32X4_MADD(acc, a, b) _mm_add_ps((acc), _mm_mul_ps((a), (b)))
#define F32X4_MAX(a, b) _mm_max_ps((b), (a)) /* b < a ? a : b, as wasm pmax */
#define F32X4_MIN(a, b) _mm_min_ps((b), (a)) /* a < b ? a : b, as wasm pmin */
#define F32X4_LT(a, b) _mm_cmplt_ps((a), (b))
#define F32X4_ABS(a) _mm_and_ps((a), _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff)))
#define F32X4_SELECT(mask, a, b) _mm_or_ps(_mm_and_ps((mask), (a)), _mm_andnot_ps((mask), (b)))
#define F32X4_AND(a, b) _mm_and_ps((a), (b))
#define F32X4_XOR(a, b) _mm_xor_ps((a), (b))
#define F32X4_TO_I32(a) _mm_cvttps_epi32(a)
#define I32X4_TO_F32(a) _mm_cvtepi32_ps(a)
#define I32X4_ADD(a, b) _mm_add_epi32((a), (b))
#define I32X4_SPLAT(x) _mm_set1_epi32(x)
#define I32X4_SHL(a, n) _mm_slli_epi32((a), (n))
#define I32X4_AS_F32(a) _mm_castsi128_ps(a)
#define F32X4_AS_I32(a) _mm_castps_si128(a)
#define I32X4_SUB(a, b) _mm_sub_epi32((a), (b))
/* floor for |a| < 2^31 (SSE2 has no rounding instruction): truncate, one down where that rounded up */
static inline __m128 f32x4_floor_sse2(__m128 a) {
  __m128 t = _mm_cvtepi32_ps(_mm_cvttps_epi32(a));
  return _mm_sub_ps(t, _mm_and_ps(_mm_cmplt_ps(a, t), _mm_set1_ps(1.0f)));
}
#define F32X4_FLOOR(a) f32x4_floor_sse2(a)
static inline f32x4 f32x4_reduce4(f32x4 a0, f32x4 a1, f32x4 a2, f32x4 a3) {
  f32x4 t0 = _mm_add_ps(_mm_unpacklo_ps(a0, a1), _mm_unpackhi_ps(a0, a1));
  f32x4 t1 = _mm_add_ps(_mm_unpacklo_ps(a2, a3), _mm_unpackhi_ps(a2, a3));
  return _mm_add_ps(_mm_movelh_ps(t0, t1), _mm_movehl_ps(t1, t0));
}
static inline void f32x4_store_transposed4(float *d, f32x4 a0, f32x4 a1, f32x4 a2, f32x4 a3) {
  f32x4 lo01 = _mm_unpacklo_ps(a0, a1), hi01 = _mm_unpackhi_ps(a0, a1);
  f32x4 lo23 = _mm_unpacklo_ps(a2, a3), hi23 = _mm_unpackhi_ps(a2, a3);
  _mm_storeu_ps(d, _mm_movelh_ps(lo01, lo23));
  _mm_storeu_ps(d + 4, _mm_movehl_ps(lo23, lo01));
  _mm_storeu_ps(d + 8, _mm_movelh_ps(hi01, hi23));
  _mm_storeu_ps(d + 12, _mm_movehl_ps(hi23, hi01));
}
static inline float f32x4_sum(f32x4 v) {
  f32x4 t = _mm_add_ps(v, _mm_movehl_ps(v, v));
  t = _mm_add_ss(t, _mm_shuffle_ps(t, t, 1));
  return _mm_cvtss_f32(t);
}
static inline float f32x4_hmax(f32x4 v) {
  f32x4 t = F32X4_MAX(v, _mm_movehl_ps(v, v));
  t = F32X4_MAX(t, _mm_shuffle_ps(t, t, 1));
  return _mm_cvtss_f32(t);
}
#else
#define S2S_SIMD 0
#endif

#ifndef S2S_FMA
#define S2S_FMA 0
#endif

#endif
