// One draw of the fused noise op (lane_noise_add.cc, the one file that includes this): the gradients as one index
// space, the call's work cut into units that the calling thread and a helper of TensorFlow's intra-op pool claim, each
// unit drawn and added block by block, and the misses resolved on the calling thread in index order. Part of the op's
// source: its SHA-256 is in the op library's manifest with the .cc's.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "tensorflow/core/framework/op_kernel.h"

#include "lane_noise_kernels.h"
#include "lane_noise_stream.h"

namespace {

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
  float scale = 1;  // the op's `scale`: the gradients are g · scale (a global-norm clip's c), rounded before ε is added
  std::vector<MissList> misses;  // chunk c's at c; one more at `chunks`, for the lanes of no chunk (DrawOneUnit)
  std::unique_ptr<std::atomic<int>[]> done;
  std::atomic<int64_t> next_unit{0};
  ~Request() { Pool().Give(std::move(misses)); }
};

constexpr int64_t kShareFromValues = int64_t{1} << 19;  // draws of fewer values run on the calling thread alone
constexpr int64_t kBlockGroups = 1024;  // 16 KB of ε per chunk: drawn, then added while it is in L1

// Adds the values [first, first + count) (ε in eps) to the gradients (times the scale, when it is not 1). First the
// misses recorded since `saved`: those past n (not part of the draw) are dropped, and the others get their curve value
// and their gradient entry (the add may write in place).
void AddBlock(Request& req, int64_t first, int64_t count, const float* eps, MissList& misses, size_t& saved) {
  const FlatView& view = req.view;
  while (misses.size > saved && misses.first + misses.offset[misses.size - 1] >= req.n) --misses.size;
  int p = view.TensorFrom(0, first);
  for (; saved < misses.size; ++saved) {
    misses.curve[saved] = CurveOf(misses.hz[saved]);
    if (!req.add) continue;
    const int64_t index = misses.first + misses.offset[saved];
    p = view.TensorFrom(p, index);
    misses.g[saved] = view.in[p][index - view.start[p]] * req.scale;  // × 1 is exact
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
    const float c = req.scale;
    if (c == 1.0f) {
      for (int64_t j = i; j < end; ++j) out[j] = in[j] + e[j];  // g + ε (a miss's entry is rewritten when it is resolved)
    } else {
      for (int64_t j = i; j < end; ++j) out[j] = in[j] * c + e[j];  // f32(f32(g · c) + ε): no fused multiply-add here
    }
    i = end;
  }
}

// Claims one unit (g_kernel.chunks chunks) and draws it; false when none was left to claim.
bool DrawOneUnit(Request& req) {
  const int64_t u = req.next_unit.fetch_add(1, std::memory_order_relaxed);
  if (u >= req.units) return false;
  const int width = g_kernel.chunks;
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
    g_kernel.generate(st, count, req.stdf, eps_of, static_cast<int32_t>(4 * g), lists);
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
  req->units = (chunks + g_kernel.chunks - 1) / g_kernel.chunks;
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

}  // namespace
