// The rectangle-test kernels of the fused noise op (lane_noise_add.cc, the one file that includes this): a unit of 2
// or 4 chunks of the lane-normal stream drawn side by side, each value's ε and the misses, per chunk in index order.
// Three kernels give the same values (the conformance suite checks each the CPU runs): plain C++, AVX2 and AVX-512.
// Part of the op's source: its SHA-256 is in the op library's manifest with the .cc's.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "lane_noise_stream.h"

namespace {

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

// The same, 2 chunks, with AVX2: one 8-lane vector per state word. A group's misses are recorded without a branch
// (about one group in five has one, at random: the branch was mispredicted so often that it cost half the kernel's
// time): each chunk's lanes are packed by a pshufb and stored whole, and its list grows by the count.
// The two table lookups are gathers (kGather), or 8 loads of 8 bytes from the table of (kn, wn32) pairs, put into two
// vectors and split by two shuffles: AMD's Zen 1 runs a gather as microcode, ≈ 20 cycles each, and there the loads
// draw at 1.78 ns a value against 2.80 (a harness, 2026-12-03; 16 loads of 4 bytes: 2.30). Which of the two is faster is
// measured when the tables are set (PickKernel); both give the same values.
template <bool kGather>
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
    __m256i kn;
    __m256 wn;
    if constexpr (kGather) {
      const __m256i iz = _mm256_and_si256(r, low7);
      kn = _mm256_i32gather_epi32(t.kn, iz, 4);
      wn = _mm256_i32gather_ps(t.wn32, iz, 4);
    } else {
      // Entry i of the paired table at byte 8i: lanes 0, 1, 4, 5 into one vector and 2, 3, 6, 7 into another, so
      // that the even and odd words of the two, taken by one shuffle each, are kn and wn32 in lane order.
      // The byte offsets are read back two at a time, as 64-bit words (≈ 5 % faster than one at a time).
      alignas(32) uint64_t at2[4];
      _mm256_store_si256(reinterpret_cast<__m256i*>(at2), _mm256_slli_epi32(_mm256_and_si256(r, low7), 3));
      const char* pairs = reinterpret_cast<const char*>(t.pairs);
      const auto pair = [&](int k) { return _mm_loadl_epi64(reinterpret_cast<const __m128i*>(pairs + (k % 2 == 0 ? at2[k / 2] & 0xffffffffu : at2[k / 2] >> 32))); };
      const auto two = [&](int k) { return _mm_unpacklo_epi64(pair(k), pair(k + 1)); };
      const __m256 a = _mm256_castsi256_ps(_mm256_inserti128_si256(_mm256_castsi128_si256(two(0)), two(4), 1));
      const __m256 b = _mm256_castsi256_ps(_mm256_inserti128_si256(_mm256_castsi128_si256(two(2)), two(6), 1));
      kn = _mm256_castps_si256(_mm256_shuffle_ps(a, b, 0x88));
      wn = _mm256_shuffle_ps(a, b, 0xdd);
    }
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

// The ms one kernel takes for a unit of 2 chunks of 4,096 groups (32 k values), best of 3: PickKernel's measure.
double UnitMs(const NoiseKernel& k) {
  std::vector<float> out(4 * 4 * 1024);
  float* eps[4] = {out.data(), out.data() + 4096, out.data() + 8192, out.data() + 12288};
  MissList lists[4];
  MissList* miss[4] = {&lists[0], &lists[1], &lists[2], &lists[3]};
  UnitState st{};
  for (int j = 0; j < 4; ++j) {
    for (int l = 0; l < 16; ++l) st.s[j][l] = 0x9e3779b9u * static_cast<uint32_t>(16 * j + l + 1);
  }
  double best = 1e9;
  for (int rep = 0; rep < 3; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    for (int block = 0; block < 4; ++block) {
      for (MissList& list : lists) list.size = 0;
      k.generate(st, 1024 * 2 / k.chunks, 1.0f, eps, 0, miss);
    }
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

// The kernel the op runs: ANNEAL_NOISE_KERNEL's ('avx512', 'avx2', 'avx2-loads' or 'plain': what the tests use to
// check one against the others) when the CPU runs it; else AVX-512 where the CPU has it, else the faster of the two
// AVX2 kernels, measured here (the tables must be set), else the plain one.
NoiseKernel PickKernel() {
  const NoiseKernel plain{GeneratePairPlain, 2, "plain"};
  const char* forced = std::getenv("ANNEAL_NOISE_KERNEL");
  const std::string want = forced == nullptr ? "" : forced;
  if (want == "plain") return plain;
#if defined(__x86_64__)
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
  if (avx512 && (want.empty() || want == "avx512")) return {GenerateQuadAvx512, 4, "avx512"};
  if (__builtin_cpu_supports("avx2") && want != "avx512") {
    const NoiseKernel gather{GeneratePairAvx2<true>, 2, "avx2"};
    const NoiseKernel loads{GeneratePairAvx2<false>, 2, "avx2-loads"};
    if (want == "avx2") return gather;
    if (want == "avx2-loads") return loads;
    const double gather_ms = UnitMs(gather);
    const double loads_ms = UnitMs(loads);
    return loads_ms < gather_ms ? loads : gather;
  }
#endif
  return plain;
}
NoiseKernel g_kernel{GeneratePairPlain, 2, "plain"};  // set with the tables (lane_noise_add.cc's setZigguratTables)

}  // namespace
