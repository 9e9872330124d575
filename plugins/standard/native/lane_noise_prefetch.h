// The fused noise op's prefetch (lane_noise_add.cc, the one file that includes this): a later call's ε drawn ahead on
// a thread of the library's own, and taken by the call whose seeds it was drawn for. Part of the op's source: its
// SHA-256 is in the op library's manifest with the .cc's.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#if defined(__linux__)
#include <sched.h>
#endif

#include "lane_noise_draw.h"

namespace {

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
bool AddPrefetched(const FlatView& view, int num, int64_t n, int64_t chunk_groups, const int32_t* seeds, int64_t seed_count, float scale) {
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
    if (scale == 1.0f) {
      for (int64_t j = 0; j < count; ++j) out[j] = in[j] + eps[first + j];  // g + ε
    } else {
      for (int64_t j = 0; j < count; ++j) out[j] = in[j] * scale + eps[first + j];  // g · c + ε
    }
  }
  ours->state = Slot::kIdle;
  ++pf.used;
  return true;
}

}  // namespace
