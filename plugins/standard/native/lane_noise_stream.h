// The lane-normal stream's scalar side for the fused noise op (lane_noise_add.cc, the one file that includes this): the
// ziggurat tables handed over from JS, xoshiro128** on one state, and the slow path that resolves a miss of the
// rectangle test (src/ops/internal/normal-slow-path.ts and lane-normal-stream.ts in JS). Part of the op's source: its
// SHA-256 is in the op library's manifest with the .cc's.
#pragma once

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace {

constexpr double kZigguratR = 3.442619855899;

// kn[i] and wn32[i] side by side, one 8-byte load for both (the AVX2 kernel without gathers).
struct KnWn32 {
  int32_t kn;
  float wn32;
};

struct ZigguratTables {
  int32_t kn[128];
  double wn[128];
  double fn[128];
  float wn32[128];
  alignas(64) KnWn32 pairs[128];  // filled from kn and wn32 by PairUp
  void PairUp() {
    for (int i = 0; i < 128; ++i) pairs[i] = {kn[i], wn32[i]};
  }
};
ZigguratTables g_tables;
std::atomic<bool> g_tables_set{false};

inline uint32_t Rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

// The slow-path stream's state as 4 values (not an array), so that the loop resolving the misses keeps it in registers.
struct Words {
  uint32_t w0, w1, w2, w3;
};

// One xoshiro128** step (nextInt32Of in normal-slow-path.ts).
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

// The same step on a state held as an array (SlowPath's).
inline uint32_t NextOf(uint32_t* s) {
  Words w{s[0], s[1], s[2], s[3]};
  const uint32_t r = NextWord(w);
  s[0] = w.w0;
  s[1] = w.w1;
  s[2] = w.w2;
  s[3] = w.w3;
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

}  // namespace
