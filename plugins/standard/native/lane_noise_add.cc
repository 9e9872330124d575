// AnnealLaneNoiseAdd: g_i + ε_i for every entry of N float32 gradients, ε drawn from the 4-lane ziggurat stream
// (src/ops/internal/lane-normal-stream.ts) in one TensorFlow kernel. The same values, bit for bit, as the JS
// reference and the WebAssembly SIMD sampler followed by an add; the conformance suite holds them together
// (tests/src/conformance/fused-noise-check.ts).
//
// Inputs:  grads   N float32 tensors (ε is walked over them in order, as over one concatenation);
//          seeds   int32 [16·chunks + 6]: chunk c's lane states (word j of lane k at 16c + 4j + k; chunk c starts
//                  at group c·chunk_groups, its states are the seeds jumped ahead, computed in JS), the slow-path
//                  stream's state (4 words), then σ as the two words of a float64 (low word first);
// Outputs: noisy   N float32 tensors, noisy_i = f32(g_i + ε_i).
// Attr:    chunk_groups, groups (4 values) per chunk.
//
// The rectangle test (≈97 % of values) runs on units of chunks side by side (4 chunks in 16 lanes with AVX-512, 2 in 8
// lanes otherwise), on the calling thread and, for a large draw, one thread of TensorFlow's intra-op pool; the misses are resolved on the calling thread in index order from
// the one slow-path stream, as the JS code does. A draw may also have been made ahead by the library's own thread
// (`prefetch`, below); the op then only adds it. The ziggurat tables are JS's own (set once through the N-API export
// `setZigguratTables`), so no table entry can differ by an ulp from the ones the other implementations use.
//
// Built by `anneal backend install tensorflow` against the TensorFlow headers of the wheel it links against,
// with -ffp-contract=off (no fused multiply-adds: every product and sum rounds as in JS).

#include <node_api.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <cstdlib>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#if defined(__linux__)
#include <sched.h>
#endif

#include "tensorflow/core/framework/op.h"
#include "tensorflow/core/framework/op_kernel.h"
#include "tensorflow/core/framework/shape_inference.h"

namespace {

using tensorflow::OpKernel;
using tensorflow::OpKernelConstruction;
using tensorflow::OpKernelContext;
using tensorflow::Tensor;

constexpr double kZigguratR = 3.442619855899;

struct ZigguratTables {
  int32_t kn[128];
  double wn[128];
  double fn[128];
  float wn32[128];
};
ZigguratTables g_tables;
std::atomic<bool> g_tables_set{false};

inline uint32_t Rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

// One xoshiro128** step on a 4-word state (nextInt32Of in normal-slow-path.ts).
inline uint32_t NextOf(uint32_t* s) {
  const uint32_t r = Rotl(s[1] * 5u, 7) * 9u;
  const uint32_t t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = Rotl(s[3], 11);
  return r;
}

inline int64_t Abs64(int32_t h) { return h < 0 ? -static_cast<int64_t>(h) : static_cast<int64_t>(h); }

// The ziggurat's rejection step for a miss (hz, hz & 127), drawing from `s`: zigguratTail and resolveMisses in JS,
// the same operations in the same order, in float64. exp and log are glibc's here and V8's (fdlibm's) in JS; both are
// within an ulp, so they could differ on some input. That would flip a wedge test only for a uniform within an ulp
// of the curve, and move a tail value only below float32's resolution in nearly every case. The conformance check
// compares ≈ 5 M values of every kind exactly and has found no difference.
double SlowPath(int32_t hz, uint32_t* s) {
  const ZigguratTables& t = g_tables;
  int iz = hz & 127;
  for (;;) {
    if (iz == 0) {
      double tx;
      double ty;
      do {
        tx = -std::log((static_cast<double>(NextOf(s)) + 1) / 4294967296.0) / kZigguratR;
        ty = -std::log((static_cast<double>(NextOf(s)) + 1) / 4294967296.0);
      } while (ty + ty < tx * tx);
      return hz > 0 ? kZigguratR + tx : -kZigguratR - tx;
    }
    const double x = static_cast<double>(hz) * t.wn[iz];
    if (t.fn[iz] + (static_cast<double>(NextOf(s)) / 4294967296.0) * (t.fn[iz - 1] - t.fn[iz]) < std::exp(-0.5 * x * x)) return x;
    hz = static_cast<int32_t>(NextOf(s));
    iz = hz & 127;
    if (Abs64(hz) < t.kn[iz]) return static_cast<double>(hz) * t.wn[iz];
  }
}

// The slow-path stream's state as 4 values (not an array), so that the loop resolving the misses keeps it in registers.
struct Words {
  uint32_t w0, w1, w2, w3;
};

// One xoshiro128** step (NextOf).
inline uint32_t NextWord(Words& s) {
  const uint32_t r = Rotl(s.w1 * 5u, 7) * 9u;
  const uint32_t t = s.w1 << 9;
  s.w2 ^= s.w0;
  s.w3 ^= s.w1;
  s.w1 ^= s.w2;
  s.w0 ^= s.w3;
  s.w2 ^= t;
  s.w3 = Rotl(s.w3, 11);
  return r;
}

struct Resolved {
  double value;
  Words after;
};

// SlowPath on a copy of the state (the state of the loop never has its address taken).
__attribute__((noinline)) Resolved SlowPathOf(int32_t hz, Words s) {
  uint32_t a[4] = {s.w0, s.w1, s.w2, s.w3};
  const double value = SlowPath(hz, a);
  return {value, {a[0], a[1], a[2], a[3]}};
}

// SlowPath(hz, s), given the wedge test's curve value exp(−x²/2) for x = hz·wn[iz] (computed ahead, by the thread
// that drew the chunk). The misses are resolved one after the other from one stream, so a miss costs the chain from
// one state to the next; the state is 4 values the loop keeps in registers (as an array in memory it cost ≈ 20 % more).
// The first wedge test accepts about half the time, at random: a branch on it was mispredicted so often that it cost
// more than the rest. So both of its outcomes are computed (the stream's next two words, and the retry's rectangle
// test on the second) and the taken one's state and value are selected without a branch; only a retry that misses
// too, and a tail (iz = 0), go to SlowPath. The same values as SlowPath (the conformance check).
inline double ResolveMiss(int32_t hz, double curve, Words& s) {
  const ZigguratTables& t = g_tables;
  const int iz = hz & 127;
  if (iz == 0) {
    const Resolved r = SlowPathOf(hz, s);
    s = r.after;
    return r.value;
  }
  const double x = static_cast<double>(hz) * t.wn[iz];
  Words after1 = s;
  const uint32_t u = NextWord(after1);
  Words after2 = after1;
  const int32_t hz2 = static_cast<int32_t>(NextWord(after2));
  const int iz2 = hz2 & 127;
  const bool accept = t.fn[iz] + (static_cast<double>(u) / 4294967296.0) * (t.fn[iz - 1] - t.fn[iz]) < curve;
  const uint32_t keep = 0u - static_cast<uint32_t>(accept);
  s = {(after1.w0 & keep) | (after2.w0 & ~keep), (after1.w1 & keep) | (after2.w1 & ~keep), (after1.w2 & keep) | (after2.w2 & ~keep), (after1.w3 & keep) | (after2.w3 & ~keep)};
  const double retry = static_cast<double>(hz2) * t.wn[iz2];
  if (__builtin_expect(!accept & (Abs64(hz2) >= t.kn[iz2]), 0)) {
    const Resolved r = SlowPathOf(hz2, s);
    s = r.after;
    return r.value;
  }
  uint64_t bits_x;
  uint64_t bits_retry;
  std::memcpy(&bits_x, &x, sizeof x);
  std::memcpy(&bits_retry, &retry, sizeof retry);
  const uint64_t pick = (bits_x & (0ull - accept)) | (bits_retry & ~(0ull - accept));
  double value;
  std::memcpy(&value, &pick, sizeof value);
  return value;
}

// The wedge test's curve value for a miss (unused for a tail miss, iz = 0).
inline double CurveOf(int32_t hz) {
  const double x = static_cast<double>(hz) * g_tables.wn[hz & 127];
  return std::exp(-0.5 * x * x);
}

// The gradients as one flat index space: tensor p holds values [start[p], start[p + 1]).
struct FlatView {
  std::vector<const float*> in;
  std::vector<float*> out;
  std::vector<int64_t> start;  // N + 1 entries, then a sentinel INT64_MAX
  // The tensor holding value i (start[p] ≤ i < start[p + 1], skipping empty tensors), searching from p.
  int TensorFrom(int p, int64_t i) const {
    while (i >= start[p + 1]) ++p;
    return p;
  }
};

// A chunk's misses in index order, as columns: the value's offset in the chunk, its hz, the wedge test's curve value
// (CurveOf) and the gradient entry (read before the chunk's add, which may write in place). The columns only grow:
// the lists are reused from call to call (MissPool).
struct MissList {
  int64_t first = 0;  // the chunk's first value index
  size_t size = 0;
  std::vector<int32_t> offset;
  std::vector<int32_t> hz;
  std::vector<double> curve;
  std::vector<float> g;
  // Room for `more` entries past size: a kernel stores 4 at a time, whatever the count.
  void Room(size_t more) {
    if (size + more <= hz.size()) return;
    const size_t capacity = std::max(2 * hz.size(), size + more);
    offset.resize(capacity);
    hz.resize(capacity);
    curve.resize(capacity);
    g.resize(capacity);
  }
  void Add(int32_t at, int32_t h) {
    offset[size] = at;
    hz[size] = h;
    ++size;
  }
};

// The miss lists of finished calls, for the next ones: fresh lists for PTB's ≈ 128 k misses were zero-filled and
// page-faulted on every call.
class MissPool {
 public:
  std::vector<MissList> Take(size_t lists) {
    std::vector<MissList> taken;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!free_.empty()) {
        taken = std::move(free_.back());
        free_.pop_back();
      }
    }
    taken.resize(std::max(taken.size(), lists));
    for (MissList& list : taken) list.size = 0;
    return taken;
  }
  void Give(std::vector<MissList>&& lists) {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.size() < 4) free_.push_back(std::move(lists));  // more than the calls that can run at once
  }

 private:
  std::mutex mu_;
  std::vector<std::vector<MissList>> free_;
};

MissPool& Pool() {
  static MissPool* const pool = new MissPool;  // never freed, as Prefetch(): a helper may outlive a call
  return *pool;
}

// The chunks of a unit side by side, 4 lanes each: word j of the unit's chunk c's lane k is s[j][4c + k]. A kernel
// draws 2 chunks at once (8 lanes: plain, AVX2) or 4 (16 lanes: AVX-512).
struct UnitState {
  uint32_t s[4][16];
};

// A kernel: `groups` groups of each of the unit's chunks c, values to eps[c] (4 per group, lane order), misses
// recorded in miss[c] with their offset in the chunk (base + 4g + k). Every kernel gives the same values.
using GenerateFn = void (*)(UnitState& st, int64_t groups, float stdf, float* const* eps, int32_t base, MissList* const* miss);

// The plain kernel, 2 chunks.
void GeneratePairPlain(UnitState& st, int64_t groups, float stdf, float* const* eps, int32_t base, MissList* const* miss) {
  const ZigguratTables& t = g_tables;
  uint32_t (&s)[4][16] = st.s;
  float* const eps_a = eps[0];
  float* const eps_b = eps[1];
  MissList& miss_a = *miss[0];
  MissList& miss_b = *miss[1];
  miss_a.Room(static_cast<size_t>(4 * groups + 4));
  miss_b.Room(static_cast<size_t>(4 * groups + 4));
  for (int64_t g = 0; g < groups; ++g) {
    for (int k = 0; k < 8; ++k) {
      const uint32_t r = Rotl(s[1][k] * 5u, 7) * 9u;
      const uint32_t tk = s[1][k] << 9;
      s[2][k] ^= s[0][k];
      s[3][k] ^= s[1][k];
      s[1][k] ^= s[2][k];
      s[0][k] ^= s[3][k];
      s[2][k] ^= tk;
      s[3][k] = Rotl(s[3][k], 11);
      const int32_t hz = static_cast<int32_t>(r);
      const int iz = hz & 127;
      const uint32_t magnitude = hz < 0 ? 0u - static_cast<uint32_t>(hz) : static_cast<uint32_t>(hz);  // |−2^31| = 2^31
      const float v = (static_cast<float>(hz) * t.wn32[iz]) * stdf;
      const int32_t at = base + static_cast<int32_t>(4 * g) + (k & 3);
      if (k < 4) {
        eps_a[4 * g + k] = v;
        if (magnitude >= static_cast<uint32_t>(t.kn[iz])) miss_a.Add(at, hz);
      } else {
        eps_b[4 * g + k - 4] = v;
        if (magnitude >= static_cast<uint32_t>(t.kn[iz])) miss_b.Add(at, hz);
      }
    }
  }
}

#if defined(__x86_64__)
// pshufb controls that pack the 32-bit lanes set in a 4-bit mask to the front (lane k at its rank among them).
struct PackControls {
  alignas(16) int8_t bytes[16][16];
  PackControls() {
    for (int mask = 0; mask < 16; ++mask) {
      int rank = 0;
      for (int k = 0; k < 4; ++k) {
        if ((mask >> k & 1) == 0) continue;
        for (int b = 0; b < 4; ++b) bytes[mask][4 * rank + b] = static_cast<int8_t>(4 * k + b);
        ++rank;
      }
      for (; rank < 4; ++rank) {
        for (int b = 0; b < 4; ++b) bytes[mask][4 * rank + b] = -1;
      }
    }
  }
};
const PackControls kPack;

// The same, 2 chunks, with AVX2: one 8-lane vector per state word, the two table lookups as gathers. A group's misses are
// recorded without a branch (about one group in five has one, at random: the branch was mispredicted so often that
// it cost half the kernel's time): each chunk's lanes are packed by a pshufb and stored whole, and its list grows
// by the count.
__attribute__((target("avx2,popcnt"))) void GeneratePairAvx2(UnitState& st, int64_t groups, float stdf, float* const* eps, int32_t base, MissList* const* miss) {
  const ZigguratTables& t = g_tables;
  float* const eps_a = eps[0];
  float* const eps_b = eps[1];
  MissList& miss_a = *miss[0];
  MissList& miss_b = *miss[1];
  __m256i s0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(st.s[0]));
  __m256i s1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(st.s[1]));
  __m256i s2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(st.s[2]));
  __m256i s3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(st.s[3]));
  const __m256i low7 = _mm256_set1_epi32(127);
  const __m256i int_min = _mm256_set1_epi32(INT32_MIN);
  const __m256 stdv = _mm256_set1_ps(stdf);
  miss_a.Room(static_cast<size_t>(4 * groups + 4));
  miss_b.Room(static_cast<size_t>(4 * groups + 4));
  int32_t* const hz_a = miss_a.hz.data();
  int32_t* const hz_b = miss_b.hz.data();
  int32_t* const offset_a = miss_a.offset.data();
  int32_t* const offset_b = miss_b.offset.data();
  size_t size_a = miss_a.size;
  size_t size_b = miss_b.size;
  __m128i offsets = _mm_add_epi32(_mm_set1_epi32(base), _mm_setr_epi32(0, 1, 2, 3));  // the group's values' offsets in their chunks
  const __m128i four = _mm_set1_epi32(4);
  for (int64_t g = 0; g < groups; ++g) {
    const __m256i m5 = _mm256_add_epi32(s1, _mm256_slli_epi32(s1, 2));                 // s1 · 5
    const __m256i rot = _mm256_or_si256(_mm256_slli_epi32(m5, 7), _mm256_srli_epi32(m5, 25));
    const __m256i r = _mm256_add_epi32(rot, _mm256_slli_epi32(rot, 3));                // · 9
    const __m256i tk = _mm256_slli_epi32(s1, 9);
    s2 = _mm256_xor_si256(s2, s0);
    s3 = _mm256_xor_si256(s3, s1);
    s1 = _mm256_xor_si256(s1, s2);
    s0 = _mm256_xor_si256(s0, s3);
    s2 = _mm256_xor_si256(s2, tk);
    s3 = _mm256_or_si256(_mm256_slli_epi32(s3, 11), _mm256_srli_epi32(s3, 21));
    const __m256i iz = _mm256_and_si256(r, low7);
    const __m256i kn = _mm256_i32gather_epi32(t.kn, iz, 4);
    const __m256 wn = _mm256_i32gather_ps(t.wn32, iz, 4);
    const __m256i magnitude = _mm256_abs_epi32(r);  // −2^31 stays −2^31 here: excluded below
    const __m256i inside = _mm256_andnot_si256(_mm256_cmpeq_epi32(magnitude, int_min), _mm256_cmpgt_epi32(kn, magnitude));
    const __m256 v = _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(r), wn), stdv);
    _mm_storeu_ps(eps_a + 4 * g, _mm256_castps256_ps128(v));
    _mm_storeu_ps(eps_b + 4 * g, _mm256_extractf128_ps(v, 1));
    const unsigned miss = ~static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(inside))) & 0xffu;
    const __m128i pack_a = _mm_load_si128(reinterpret_cast<const __m128i*>(kPack.bytes[miss & 0x0fu]));
    const __m128i pack_b = _mm_load_si128(reinterpret_cast<const __m128i*>(kPack.bytes[miss >> 4]));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(hz_a + size_a), _mm_shuffle_epi8(_mm256_castsi256_si128(r), pack_a));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(offset_a + size_a), _mm_shuffle_epi8(offsets, pack_a));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(hz_b + size_b), _mm_shuffle_epi8(_mm256_extracti128_si256(r, 1), pack_b));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(offset_b + size_b), _mm_shuffle_epi8(offsets, pack_b));
    size_a += static_cast<size_t>(_mm_popcnt_u32(miss & 0x0fu));
    size_b += static_cast<size_t>(_mm_popcnt_u32(miss >> 4));
    offsets = _mm_add_epi32(offsets, four);
  }
  miss_a.size = size_a;
  miss_b.size = size_b;
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(st.s[0]), s0);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(st.s[1]), s1);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(st.s[2]), s2);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(st.s[3]), s3);
}
#endif

#if defined(__x86_64__)
// With AVX-512, 4 chunks in 16 lanes. The table lookups are permutes of the tables held in registers (8 each), not
// gathers, and a group's misses, all 4 chunks' at once, are compressed into one list (lane and offset as one word:
// the chunk in the top 2 bits) that is sorted out into the chunks' lists after the call. The values are stored 4
// groups at a time, as 4 × 4 blocks of 4 values transposed.
#define ANNEAL_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,popcnt")))
struct QuadDraw {
  __m512i s0, s1, s2, s3;
  __m512i kn[8];
  __m512 wn[8];
  __m512 stdv;
  __m512i at;  // lane l (chunk l / 4, its lane l % 4): the chunk in bits 30–31, the value's offset in it below
  int32_t* found_hz;
  int32_t* found_at;
  size_t found = 0;

  // One group: its 16 values (chunk c's in lanes 4c..4c + 3); its misses appended to found_hz / found_at.
  ANNEAL_AVX512 inline __m512 Next() {
    const __m512i m5 = _mm512_add_epi32(s1, _mm512_slli_epi32(s1, 2));  // s1 · 5
    const __m512i rot = _mm512_rol_epi32(m5, 7);
    const __m512i r = _mm512_add_epi32(rot, _mm512_slli_epi32(rot, 3));  // · 9
    const __m512i tk = _mm512_slli_epi32(s1, 9);
    const __m512i n0 = _mm512_ternarylogic_epi32(s0, s3, s1, 0x96);  // s0 ^ s3 ^ s1: xoshiro128**'s update, 3 inputs at a time
    const __m512i n1 = _mm512_ternarylogic_epi32(s1, s2, s0, 0x96);
    const __m512i n2 = _mm512_ternarylogic_epi32(s2, s0, tk, 0x96);
    s3 = _mm512_rol_epi32(_mm512_xor_si512(s3, s1), 11);
    s0 = n0;
    s1 = n1;
    s2 = n2;
    const __m512i iz = _mm512_and_si512(r, _mm512_set1_epi32(127));
    const __mmask16 upper = _mm512_test_epi32_mask(iz, _mm512_set1_epi32(32));
    const __mmask16 top = _mm512_test_epi32_mask(iz, _mm512_set1_epi32(64));
    const __m512i kn_low = _mm512_mask_blend_epi32(upper, _mm512_permutex2var_epi32(kn[0], iz, kn[1]), _mm512_permutex2var_epi32(kn[2], iz, kn[3]));
    const __m512i kn_high = _mm512_mask_blend_epi32(upper, _mm512_permutex2var_epi32(kn[4], iz, kn[5]), _mm512_permutex2var_epi32(kn[6], iz, kn[7]));
    const __m512 wn_low = _mm512_mask_blend_ps(upper, _mm512_permutex2var_ps(wn[0], iz, wn[1]), _mm512_permutex2var_ps(wn[2], iz, wn[3]));
    const __m512 wn_high = _mm512_mask_blend_ps(upper, _mm512_permutex2var_ps(wn[4], iz, wn[5]), _mm512_permutex2var_ps(wn[6], iz, wn[7]));
    const __m512i kn_iz = _mm512_mask_blend_epi32(top, kn_low, kn_high);
    const __m512 wn_iz = _mm512_mask_blend_ps(top, wn_low, wn_high);
    // |hz| < kn as unsigned: |−2^31| is 2^31 there, above every kn, so a miss as in the plain kernel.
    const __mmask16 missed = _knot_mask16(_mm512_cmplt_epu32_mask(_mm512_abs_epi32(r), kn_iz));
    _mm512_storeu_si512(found_hz + found, _mm512_maskz_compress_epi32(missed, r));
    _mm512_storeu_si512(found_at + found, _mm512_maskz_compress_epi32(missed, at));
    found += static_cast<size_t>(_mm_popcnt_u32(missed));
    at = _mm512_add_epi32(at, _mm512_set1_epi32(4));
    return _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(r), wn_iz), stdv);
  }
};

ANNEAL_AVX512 void GenerateQuadAvx512(UnitState& st, int64_t groups, float stdf, float* const* eps, int32_t base, MissList* const* miss) {
  const ZigguratTables& t = g_tables;
  QuadDraw d;
  d.s0 = _mm512_loadu_si512(st.s[0]);
  d.s1 = _mm512_loadu_si512(st.s[1]);
  d.s2 = _mm512_loadu_si512(st.s[2]);
  d.s3 = _mm512_loadu_si512(st.s[3]);
  for (int i = 0; i < 8; ++i) {
    d.kn[i] = _mm512_loadu_si512(t.kn + 16 * i);
    d.wn[i] = _mm512_loadu_ps(t.wn32 + 16 * i);
  }
  d.stdv = _mm512_set1_ps(stdf);
  d.at = _mm512_add_epi32(_mm512_set1_epi32(base), _mm512_setr_epi32(0, 1, 2, 3, 1 << 30, (1 << 30) + 1, (1 << 30) + 2, (1 << 30) + 3, INT32_MIN, INT32_MIN + 1,
                                                                       INT32_MIN + 2, INT32_MIN + 3, -(1 << 30), -(1 << 30) + 1, -(1 << 30) + 2, -(1 << 30) + 3));
  thread_local std::vector<int32_t> found;  // the misses' hz, then their words `at`
  const size_t room = static_cast<size_t>(16 * groups + 16);
  if (found.size() < 2 * room) found.resize(2 * room);
  d.found_hz = found.data();
  d.found_at = found.data() + room;
  int64_t g = 0;
  for (; g + 4 <= groups; g += 4) {
    const __m512 v0 = d.Next();
    const __m512 v1 = d.Next();
    const __m512 v2 = d.Next();
    const __m512 v3 = d.Next();
    const __m512 t0 = _mm512_shuffle_f32x4(v0, v1, 0x44);  // v0's chunks 0, 1, v1's chunks 0, 1
    const __m512 t1 = _mm512_shuffle_f32x4(v0, v1, 0xee);  // chunks 2, 3
    const __m512 t2 = _mm512_shuffle_f32x4(v2, v3, 0x44);
    const __m512 t3 = _mm512_shuffle_f32x4(v2, v3, 0xee);
    _mm512_storeu_ps(eps[0] + 4 * g, _mm512_shuffle_f32x4(t0, t2, 0x88));  // chunk 0 of v0, v1, v2, v3
    _mm512_storeu_ps(eps[1] + 4 * g, _mm512_shuffle_f32x4(t0, t2, 0xdd));
    _mm512_storeu_ps(eps[2] + 4 * g, _mm512_shuffle_f32x4(t1, t3, 0x88));
    _mm512_storeu_ps(eps[3] + 4 * g, _mm512_shuffle_f32x4(t1, t3, 0xdd));
  }
  for (; g < groups; ++g) {
    const __m512 v = d.Next();
    _mm_storeu_ps(eps[0] + 4 * g, _mm512_extractf32x4_ps(v, 0));
    _mm_storeu_ps(eps[1] + 4 * g, _mm512_extractf32x4_ps(v, 1));
    _mm_storeu_ps(eps[2] + 4 * g, _mm512_extractf32x4_ps(v, 2));
    _mm_storeu_ps(eps[3] + 4 * g, _mm512_extractf32x4_ps(v, 3));
  }
  _mm512_storeu_si512(st.s[0], d.s0);
  _mm512_storeu_si512(st.s[1], d.s1);
  _mm512_storeu_si512(st.s[2], d.s2);
  _mm512_storeu_si512(st.s[3], d.s3);
  for (int c = 0; c < 4; ++c) miss[c]->Room(static_cast<size_t>(4 * groups));
  for (size_t i = 0; i < d.found; ++i) {  // in index order within each chunk, as found
    const uint32_t word = static_cast<uint32_t>(d.found_at[i]);
    miss[word >> 30]->Add(static_cast<int32_t>(word & 0x3fffffffu), d.found_hz[i]);
  }
}
#undef ANNEAL_AVX512
#endif

struct NoiseKernel {
  GenerateFn generate;
  int chunks;  // drawn side by side: a unit
  const char* name;
};

// The widest kernel the CPU runs, unless ANNEAL_NOISE_KERNEL names another (what the tests use to check one against
// the others): 'avx512', 'avx2' or 'plain'.
NoiseKernel PickKernel() {
  const NoiseKernel plain{GeneratePairPlain, 2, "plain"};
  const char* forced = std::getenv("ANNEAL_NOISE_KERNEL");
  const std::string want = forced == nullptr ? "" : forced;
  if (want == "plain") return plain;
#if defined(__x86_64__)
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
  if (avx512 && (want.empty() || want == "avx512")) return {GenerateQuadAvx512, 4, "avx512"};
  if (__builtin_cpu_supports("avx2") && want != "avx512") return {GeneratePairAvx2, 2, "avx2"};
#endif
  return plain;
}
const NoiseKernel kKernel = PickKernel();
const char* const kKernelName = kKernel.name;

// The chunks of a draw of n values (groups of 4) in chunks of `chunk_groups` groups: one at least, as in JS.
int64_t ChunksOf(int64_t n, int64_t chunk_groups) { return std::max<int64_t>(1, ((n + 3) / 4 + chunk_groups - 1) / chunk_groups); }

// One call's work, shared by the calling thread and the helpers it schedules on the intra-op pool. A unit is the kernel's
// chunks (NoiseKernel::chunks); a helper that starts after every unit is claimed touches nothing but this object (kept alive by the
// shared_ptr), so the caller never waits for a helper that has not started, only for a unit a helper is drawing.
struct Request {
  FlatView view;
  int64_t n = 0;
  int64_t groups = 0;
  int64_t chunk_groups = 0;
  int64_t chunks = 0;
  int64_t units = 0;
  const int32_t* seeds = nullptr;
  float stdf = 0;
  bool add = true;  // false: write ε itself (the prefetch's draw), into the one "tensor" of the view
  std::vector<MissList> misses;  // chunk c's at c; one more at `chunks`, for the lanes of no chunk (DrawOneUnit)
  std::unique_ptr<std::atomic<int>[]> done;
  std::atomic<int64_t> next_unit{0};
  ~Request() { Pool().Give(std::move(misses)); }
};

constexpr int64_t kShareFromValues = int64_t{1} << 19;  // draws of fewer values run on the calling thread alone
constexpr int64_t kBlockGroups = 1024;  // 16 KB of ε per chunk: drawn, then added while it is in L1

// Adds the values [first, first + count) (ε in eps) to the gradients. First the misses recorded since `saved`: those
// past n (not part of the draw) are dropped, and the others get their curve value and their gradient entry (the add
// may write in place).
void AddBlock(Request& req, int64_t first, int64_t count, const float* eps, MissList& misses, size_t& saved) {
  const FlatView& view = req.view;
  while (misses.size > saved && misses.first + misses.offset[misses.size - 1] >= req.n) --misses.size;
  int p = view.TensorFrom(0, first);
  for (; saved < misses.size; ++saved) {
    misses.curve[saved] = CurveOf(misses.hz[saved]);
    if (!req.add) continue;
    const int64_t index = misses.first + misses.offset[saved];
    p = view.TensorFrom(p, index);
    misses.g[saved] = view.in[p][index - view.start[p]];
  }
  if (!req.add) {
    std::memcpy(view.out[0] + first, eps, sizeof(float) * static_cast<size_t>(std::min(req.n, first + count) - first));
    return;
  }
  const int64_t last = std::min(req.n, first + count);
  p = view.TensorFrom(0, first);
  for (int64_t i = first; i < last;) {
    p = view.TensorFrom(p, i);
    const int64_t end = std::min(last, view.start[p + 1]);
    const float* in = view.in[p] - view.start[p];
    float* out = view.out[p] - view.start[p];
    const float* e = eps - first;
    for (int64_t j = i; j < end; ++j) out[j] = in[j] + e[j];  // g + ε (a miss's entry is rewritten when it is resolved)
    i = end;
  }
}

// Claims one unit (kKernel.chunks chunks) and draws it; false when none was left to claim.
bool DrawOneUnit(Request& req) {
  const int64_t u = req.next_unit.fetch_add(1, std::memory_order_relaxed);
  if (u >= req.units) return false;
  const int width = kKernel.chunks;
  alignas(64) float eps[4][4 * kBlockGroups];
  float* eps_of[4] = {eps[0], eps[1], eps[2], eps[3]};
  UnitState st{};
  int64_t groups_of[4] = {0, 0, 0, 0};  // 0: no such chunk (the last unit)
  int64_t longest = 0;
  for (int c = 0; c < width; ++c) {
    const int64_t chunk = width * u + c;
    if (chunk >= req.chunks) continue;
    groups_of[c] = std::min(req.groups, (chunk + 1) * req.chunk_groups) - chunk * req.chunk_groups;
    longest = std::max(longest, groups_of[c]);
    req.misses[chunk].first = 4 * chunk * req.chunk_groups;
    for (int j = 0; j < 4; ++j) {
      for (int k = 0; k < 4; ++k) st.s[j][4 * c + k] = static_cast<uint32_t>(req.seeds[16 * chunk + 4 * j + k]);
    }
  }
  size_t saved[4] = {0, 0, 0, 0};
  MissList& discarded = req.misses[req.chunks];  // lanes of no chunk, or past a chunk's end: only the last unit has them
  MissList* lists[4];
  for (int64_t g = 0; g < longest;) {
    // A block ends where a chunk does (only the last one is shorter), so every chunk drawn into it has all of it.
    int64_t count = std::min(kBlockGroups, longest - g);
    for (int c = 0; c < width; ++c) {
      if (groups_of[c] > g) count = std::min(count, groups_of[c] - g);
      lists[c] = groups_of[c] > g ? &req.misses[width * u + c] : &discarded;
    }
    discarded.size = 0;
    kKernel.generate(st, count, req.stdf, eps_of, static_cast<int32_t>(4 * g), lists);
    for (int c = 0; c < width; ++c) {
      if (groups_of[c] > g) AddBlock(req, 4 * (width * u + c) * req.chunk_groups + 4 * g, 4 * count, eps[c], *lists[c], saved[c]);
    }
    g += count;
  }
  for (int c = 0; c < width; ++c) {
    if (groups_of[c] > 0) req.done[width * u + c].store(1, std::memory_order_release);
  }
  return true;
}

// Draws request `req` (its view, seeds and sizes set): on this thread, plus `helpers` threads of `pool` for a large
// draw; this thread resolves each chunk's misses in index order as soon as the chunk is done.
void RunDraw(const std::shared_ptr<Request>& req, tsl::thread::ThreadPool* pool) {
  const int64_t chunks = req->chunks;
  const int32_t* seed = req->seeds;
  Words slow = {static_cast<uint32_t>(seed[16 * chunks]), static_cast<uint32_t>(seed[16 * chunks + 1]), static_cast<uint32_t>(seed[16 * chunks + 2]),
                static_cast<uint32_t>(seed[16 * chunks + 3])};
  double stdd;
  std::memcpy(&stdd, seed + 16 * chunks + 4, sizeof stdd);
  req->groups = (req->n + 3) / 4;
  req->units = (chunks + kKernel.chunks - 1) / kKernel.chunks;
  req->stdf = static_cast<float>(stdd);
  req->misses = Pool().Take(static_cast<size_t>(chunks) + 1);
  req->done.reset(new std::atomic<int>[chunks]);
  for (int64_t c = 0; c < chunks; ++c) req->done[c].store(0, std::memory_order_relaxed);

  // This thread draws too, so one helper fewer than the pool's threads (but one at least: with one intra-op thread
  // the caller is an inter-op thread, and the pool's thread is a second core). A small draw is not shared: waking a
  // helper cost as much as it saved for the MLP's 84,760 values (148 µs alone, 151–161 µs with one); PTB's 4.33 M
  // took 7.5 ms alone and 5.6 ms with one (2026-12-03, in a captured graph).
  const int64_t helpers = pool == nullptr || req->n < kShareFromValues ? 0 : std::min<int64_t>(std::max(1, pool->NumThreads() - 1), req->units - 1);
  for (int64_t h = 0; h < helpers; ++h) pool->Schedule([req] {
    while (DrawOneUnit(*req)) {
    }
  });

  const FlatView& view = req->view;
  int p = 0;
  int64_t resolved = 0;
  auto resolve_ready = [&](bool wait) {
    while (resolved < chunks) {
      if (!req->done[resolved].load(std::memory_order_acquire)) {
        if (!wait) return;
        std::this_thread::yield();
        continue;
      }
      const MissList& list = req->misses[resolved];
      Words s = slow;
      for (size_t j = 0; j < list.size; ++j) {
        const int64_t index = list.first + list.offset[j];
        p = view.TensorFrom(p, index);
        const float eps = static_cast<float>(stdd * ResolveMiss(list.hz[j], list.curve[j], s));
        view.out[p][index - view.start[p]] = req->add ? list.g[j] + eps : eps;
      }
      slow = s;
      ++resolved;
    }
  };
  while (DrawOneUnit(*req)) resolve_ready(false);
  resolve_ready(true);
}

// ---- The prefetch: ε of a later call drawn ahead on a thread of the library's own ----
//
// `prefetch(seeds, n, chunkGroups)` (N-API) hands a later call's draw to a worker thread, which draws ε into a buffer
// while the step computes. An op call whose seeds, n and chunk size are a prefetched draw's only adds it (waiting a
// little if it is still being drawn: see below); any other call draws as usual, so the values are the same either
// way. Two slots: a captured graph step asks for step t + 1 before its graph has used step t's draw.
//
// The worker draws on another CPU than the thread that asked (KeepOffCpu). Woken by that thread, Linux tends to
// start it on the same CPU, where it took the step's own time: the MLP's graph step was 2.04–2.07 ms with the
// prefetch and 1.90 ms without noise, and a probe found the worker on the asking thread's CPU for 60 of 144 draws
// (2026-12-03). And a call never waits for a draw that has not started, nor much longer than a draw takes: it then
// draws itself (a busy machine may give the worker no CPU for a while).
struct Slot {
  enum State { kIdle, kPending, kDrawing, kReady } state = kIdle;
  int64_t order = 0;  // when it was asked for: the worker draws, and a new prefetch replaces, the oldest first
  std::vector<int32_t> seeds;
  int64_t n = 0;
  int64_t chunk_groups = 0;
  std::vector<float> eps;
  int requester_cpu = -1;  // the CPU the asking thread ran on (-1: unknown)
  bool abandoned = false;  // a call stopped waiting for this draw: the worker frees the slot when it is done
};

struct Prefetched {
  std::mutex mu;
  std::condition_variable cv;
  Slot slots[2];
  int64_t asked = 0;
  bool worker = false;
  int64_t used = 0;    // calls that took a prefetched draw (tests, benchmark)
  int64_t missed = 0;  // calls whose draw was prefetched but not started, or late: they drew themselves
};

Prefetched& Prefetch() {
  static Prefetched* const p = new Prefetched;  // never freed: the detached worker uses it until the process ends
  return *p;
}

std::shared_ptr<Request> DrawOnlyRequest(const int32_t* seeds, int64_t n, int64_t chunk_groups, float* out) {
  auto req = std::make_shared<Request>();
  req->view.in.push_back(nullptr);
  req->view.out.push_back(out);
  req->view.start = {0, n, INT64_MAX};
  req->n = n;
  req->chunk_groups = chunk_groups;
  req->chunks = ChunksOf(n, chunk_groups);
  req->seeds = seeds;
  req->add = false;
  return req;
}

Slot* OldestWith(Prefetched& pf, Slot::State state) {
  Slot* best = nullptr;
  for (Slot& slot : pf.slots) {
    if (slot.state == state && (best == nullptr || slot.order < best->order)) best = &slot;
  }
  return best;
}

// The CPU the calling thread runs on (-1: unknown, or not Linux).
int CurrentCpu() {
#if defined(__linux__)
  return sched_getcpu();
#else
  return -1;
#endif
}

// Keeps the calling thread off `cpu` when another CPU is allowed (Linux; elsewhere nothing changes).
void KeepOffCpu(int cpu) {
#if defined(__linux__)
  static cpu_set_t allowed;
  static const bool known = sched_getaffinity(0, sizeof allowed, &allowed) == 0;
  static int kept_off = -1;
  if (!known || cpu < 0 || cpu >= CPU_SETSIZE || cpu == kept_off || !CPU_ISSET(cpu, &allowed)) return;
  cpu_set_t want = allowed;
  CPU_CLR(cpu, &want);
  if (CPU_COUNT(&want) == 0 || sched_setaffinity(0, sizeof want, &want) != 0) return;
  kept_off = cpu;
#else
  (void)cpu;
#endif
}

// ANNEAL_NOISE_PREFETCH_STALL_MS (set by the conformance check): the worker sleeps that long once it has taken a
// draw, as a worker that the machine gives no CPU would.
std::chrono::milliseconds WorkerStall() {
  const char* stall = std::getenv("ANNEAL_NOISE_PREFETCH_STALL_MS");
  return std::chrono::milliseconds(stall == nullptr ? 0 : std::max(0, std::atoi(stall)));
}

void PrefetchWorker() {
  const std::chrono::milliseconds stall = WorkerStall();
  Prefetched& pf = Prefetch();
  std::unique_lock<std::mutex> lock(pf.mu);
  for (;;) {
    pf.cv.wait(lock, [&] { return OldestWith(pf, Slot::kPending) != nullptr; });
    Slot& slot = *OldestWith(pf, Slot::kPending);
    slot.state = Slot::kDrawing;
    if (slot.eps.size() < static_cast<size_t>(slot.n)) slot.eps.resize(static_cast<size_t>(slot.n));
    const std::shared_ptr<Request> req = DrawOnlyRequest(slot.seeds.data(), slot.n, slot.chunk_groups, slot.eps.data());
    const int requester_cpu = slot.requester_cpu;
    lock.unlock();  // a drawing slot's seeds and buffer are left alone by everyone else
    KeepOffCpu(requester_cpu);
    if (stall.count() > 0) std::this_thread::sleep_for(stall);
    RunDraw(req, nullptr);
    lock.lock();
    slot.state = slot.abandoned ? Slot::kIdle : Slot::kReady;
    slot.abandoned = false;
    pf.cv.notify_all();
  }
}

// How long a call waits for its draw once the worker has started it: several times what the draw takes on one core.
std::chrono::microseconds PrefetchPatience(int64_t n) { return std::chrono::microseconds(200 + n / 100); }

// If a prefetched draw is this call's and the worker has started it, waits for it (up to PrefetchPatience), adds it
// to the gradients and returns true. A draw not started yet is taken back, and one that takes too long is left to the
// worker: false, and the call draws itself (the same values).
bool AddPrefetched(const FlatView& view, int num, int64_t n, int64_t chunk_groups, const int32_t* seeds, int64_t seed_count) {
  Prefetched& pf = Prefetch();
  std::unique_lock<std::mutex> lock(pf.mu);
  Slot* ours = nullptr;
  for (Slot& slot : pf.slots) {
    if (slot.state != Slot::kIdle && !slot.abandoned && slot.n == n && slot.chunk_groups == chunk_groups && slot.seeds.size() == static_cast<size_t>(seed_count) &&
        std::memcmp(slot.seeds.data(), seeds, sizeof(int32_t) * static_cast<size_t>(seed_count)) == 0) {
      ours = &slot;
    }
  }
  if (ours == nullptr) return false;
  if (ours->state == Slot::kPending) {
    ours->state = Slot::kIdle;
    ++pf.missed;
    return false;
  }
  if (!pf.cv.wait_for(lock, PrefetchPatience(n), [&] { return ours->state == Slot::kReady; })) {
    ours->abandoned = true;
    ++pf.missed;
    return false;
  }
  const float* eps = ours->eps.data();
  for (int p = 0; p < num; ++p) {
    const int64_t first = view.start[p];
    const int64_t count = view.start[p + 1] - first;
    const float* in = view.in[p];
    float* out = view.out[p];
    for (int64_t j = 0; j < count; ++j) out[j] = in[j] + eps[first + j];  // g + ε
  }
  ours->state = Slot::kIdle;
  ++pf.used;
  return true;
}

class LaneNoiseAddOp : public OpKernel {
 public:
  explicit LaneNoiseAddOp(OpKernelConstruction* ctx) : OpKernel(ctx) {
    OP_REQUIRES_OK(ctx, ctx->GetAttr("chunk_groups", &chunk_groups_));
    // ≤ 2^28 groups: a miss's offset in its chunk (4 values a group) is an int32. JS uses at most 2^15.
    OP_REQUIRES(ctx, chunk_groups_ >= 1 && chunk_groups_ <= (int64_t{1} << 28),
                tensorflow::errors::InvalidArgument("chunk_groups must be in [1, 2^28], got ", chunk_groups_));
  }

  void Compute(OpKernelContext* ctx) override {
    OP_REQUIRES(ctx, g_tables_set.load(std::memory_order_acquire),
                tensorflow::errors::FailedPrecondition("AnnealLaneNoiseAdd: the ziggurat tables were not set (call setZigguratTables after loading the library)"));
    tensorflow::OpInputList grads;
    OP_REQUIRES_OK(ctx, ctx->input_list("grads", &grads));
    const Tensor& seeds = ctx->input(grads.size());
    tensorflow::OpOutputList noisy;
    OP_REQUIRES_OK(ctx, ctx->output_list("noisy", &noisy));

    auto req = std::make_shared<Request>();
    FlatView& view = req->view;
    view.start.push_back(0);
    for (int p = 0; p < grads.size(); ++p) {
      Tensor* out = nullptr;
      OP_REQUIRES_OK(ctx, ctx->forward_input_or_allocate_output({p}, p, grads[p].shape(), &out));
      view.in.push_back(grads[p].flat<float>().data());
      view.out.push_back(out->flat<float>().data());
      view.start.push_back(view.start.back() + grads[p].NumElements());
    }
    view.start.push_back(INT64_MAX);  // a sentinel: TensorFrom never walks past the last tensor
    const int64_t n = view.start[grads.size()];
    const int64_t chunks = ChunksOf(n, chunk_groups_);
    OP_REQUIRES(ctx, seeds.dtype() == tensorflow::DT_INT32 && seeds.NumElements() == 16 * chunks + 6,
                tensorflow::errors::InvalidArgument("AnnealLaneNoiseAdd: seeds must be int32 [16·chunks + 6] = [", 16 * chunks + 6, "] for ", n,
                                                    " values in chunks of ", chunk_groups_, " groups, got ", seeds.NumElements()));
    if (n == 0) return;
    const int32_t* seed = seeds.flat<int32_t>().data();
    if (AddPrefetched(view, grads.size(), n, chunk_groups_, seed, seeds.NumElements())) return;
    req->n = n;
    req->chunk_groups = chunk_groups_;
    req->chunks = chunks;
    req->seeds = seed;
    RunDraw(req, ctx->device()->tensorflow_cpu_worker_threads()->workers);
  }

 private:
  int64_t chunk_groups_ = 0;
};

}  // namespace

REGISTER_OP("AnnealLaneNoiseAdd")
    .Input("grads: N * float")
    .Input("seeds: int32")
    .Output("noisy: N * float")
    .Attr("N: int >= 1")
    .Attr("chunk_groups: int >= 1")
    .SetShapeFn([](tensorflow::shape_inference::InferenceContext* c) {
      for (int i = 0; i < c->num_outputs(); ++i) c->set_output(i, c->input(i));
      return absl::OkStatus();
    });

REGISTER_KERNEL_BUILDER(Name("AnnealLaneNoiseAdd").Device(tensorflow::DEVICE_CPU), LaneNoiseAddOp);

// ---- N-API: setZigguratTables(kn, wn, fn, wn32), prefetch(seeds, n, chunkGroups), prefetchesUsed(), prefetchesMissed(),
// prefetchesReady(), kernel() ----

namespace {

// The call's arguments (up to `count` of them); returns how many were given.
size_t Arguments(napi_env env, napi_callback_info info, napi_value* argv, size_t count) {
  size_t argc = count;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  return argc;
}

// The element type, length and data of typed array `value`; false when it is not one.
bool TypedArrayView(napi_env env, napi_value value, napi_typedarray_type* type, size_t* length, void** data) {
  napi_value buffer;
  size_t offset;
  return napi_get_typedarray_info(env, value, type, length, data, &buffer, &offset) == napi_ok;
}

bool CopyTypedArray(napi_env env, napi_value value, napi_typedarray_type want, void* dest, size_t bytes) {
  napi_typedarray_type type;
  size_t length;
  void* data;
  if (!TypedArrayView(env, value, &type, &length, &data) || type != want) return false;
  const size_t element = want == napi_int32_array || want == napi_float32_array ? 4 : 8;
  if (length * element != bytes) return false;
  std::memcpy(dest, data, bytes);
  return true;
}

napi_value SetZigguratTables(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  const size_t argc = Arguments(env, info, argv, 4);
  ZigguratTables t;
  if (argc != 4 || !CopyTypedArray(env, argv[0], napi_int32_array, t.kn, sizeof t.kn) || !CopyTypedArray(env, argv[1], napi_float64_array, t.wn, sizeof t.wn) ||
      !CopyTypedArray(env, argv[2], napi_float64_array, t.fn, sizeof t.fn) || !CopyTypedArray(env, argv[3], napi_float32_array, t.wn32, sizeof t.wn32)) {
    napi_throw_type_error(env, nullptr, "setZigguratTables(kn: Int32Array(128), wn: Float64Array(128), fn: Float64Array(128), wn32: Float32Array(128))");
    return nullptr;
  }
  g_tables = t;
  g_tables_set.store(true, std::memory_order_release);
  return nullptr;
}

// prefetch(seeds: Int32Array, n: number, chunkGroups: number): true when a slot took it (false: both are being drawn).
napi_value PrefetchDraw(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  const size_t argc = Arguments(env, info, argv, 3);
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  int64_t n = 0;
  int64_t chunk_groups = 0;
  if (argc != 3 || !TypedArrayView(env, argv[0], &type, &length, &data) || type != napi_int32_array || napi_get_value_int64(env, argv[1], &n) != napi_ok ||
      napi_get_value_int64(env, argv[2], &chunk_groups) != napi_ok || n <= 0 || chunk_groups < 1) {
    napi_throw_type_error(env, nullptr, "prefetch(seeds: Int32Array, n: number > 0, chunkGroups: number ≥ 1)");
    return nullptr;
  }
  Prefetched& pf = Prefetch();
  bool taken = false;
  {
    std::lock_guard<std::mutex> lock(pf.mu);
    Slot* slot = OldestWith(pf, Slot::kIdle);
    if (slot == nullptr) slot = OldestWith(pf, Slot::kReady);  // a draw nobody took: the oldest goes
    if (slot == nullptr) slot = OldestWith(pf, Slot::kPending);
    if (slot != nullptr) {
      const int32_t* seeds = static_cast<const int32_t*>(data);
      slot->seeds.assign(seeds, seeds + length);
      slot->n = n;
      slot->chunk_groups = chunk_groups;
      slot->order = ++pf.asked;
      slot->state = Slot::kPending;
      slot->requester_cpu = CurrentCpu();
      taken = true;
      if (!pf.worker) {
        pf.worker = true;
        std::thread(PrefetchWorker).detach();
      }
    }
  }
  if (taken) pf.cv.notify_all();
  napi_value result;
  napi_get_boolean(env, taken, &result);
  return result;
}

napi_value PrefetchCount(napi_env env, int64_t Prefetched::*count) {
  Prefetched& pf = Prefetch();
  int64_t value;
  {
    std::lock_guard<std::mutex> lock(pf.mu);
    value = pf.*count;
  }
  napi_value result;
  napi_create_int64(env, value, &result);
  return result;
}

// prefetchesUsed(): how many calls have taken a prefetched draw.
napi_value PrefetchesUsed(napi_env env, napi_callback_info) { return PrefetchCount(env, &Prefetched::used); }

// prefetchesMissed(): how many calls found their draw prefetched but not started, or late, and drew it themselves.
napi_value PrefetchesMissed(napi_env env, napi_callback_info) { return PrefetchCount(env, &Prefetched::missed); }

// prefetchesReady(): how many prefetched draws are done and not taken yet (tests wait on it).
napi_value PrefetchesReady(napi_env env, napi_callback_info) {
  Prefetched& pf = Prefetch();
  int64_t ready = 0;
  {
    std::lock_guard<std::mutex> lock(pf.mu);
    for (const Slot& slot : pf.slots) ready += slot.state == Slot::kReady ? 1 : 0;
  }
  napi_value result;
  napi_create_int64(env, ready, &result);
  return result;
}

// kernel(): which rectangle-test kernel runs, 'avx512', 'avx2' or 'plain' (ANNEAL_NOISE_KERNEL, read when the library loads, forces one).
napi_value KernelName(napi_env env, napi_callback_info) {
  napi_value name;
  napi_create_string_utf8(env, kKernelName, NAPI_AUTO_LENGTH, &name);
  return name;
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "setZigguratTables", NAPI_AUTO_LENGTH, SetZigguratTables, nullptr, &fn);
  napi_set_named_property(env, exports, "setZigguratTables", fn);
  napi_create_function(env, "kernel", NAPI_AUTO_LENGTH, KernelName, nullptr, &fn);
  napi_set_named_property(env, exports, "kernel", fn);
  napi_create_function(env, "prefetch", NAPI_AUTO_LENGTH, PrefetchDraw, nullptr, &fn);
  napi_set_named_property(env, exports, "prefetch", fn);
  napi_create_function(env, "prefetchesUsed", NAPI_AUTO_LENGTH, PrefetchesUsed, nullptr, &fn);
  napi_set_named_property(env, exports, "prefetchesUsed", fn);
  napi_create_function(env, "prefetchesMissed", NAPI_AUTO_LENGTH, PrefetchesMissed, nullptr, &fn);
  napi_set_named_property(env, exports, "prefetchesMissed", fn);
  napi_create_function(env, "prefetchesReady", NAPI_AUTO_LENGTH, PrefetchesReady, nullptr, &fn);
  napi_set_named_property(env, exports, "prefetchesReady", fn);
  return exports;
}
