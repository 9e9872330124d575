// AnnealLaneNoiseAdd: g_i + ε_i for every entry of N float32 gradients, ε drawn from the 4-lane ziggurat stream
// (src/ops/internal/lane-normal-stream.ts) in one TensorFlow kernel. The same values, bit for bit, as the JS
// reference and the WebAssembly SIMD sampler followed by an add; the conformance suite holds them together
// (tests/src/conformance/fused-noise-check.ts).
//
// Inputs:  grads   N float32 tensors (ε is walked over them in order, as over one concatenation);
//          seeds   int32 [16·chunks + 6]: chunk c's lane states (word j of lane k at 16c + 4j + k; chunk c starts
//                  at group c·chunk_groups, its states are the seeds jumped ahead, computed in JS), the slow-path
//                  stream's state (4 words), then σ as the two words of a float64 (low word first);
//          scale   float32 [] (or any one-value shape): c, 1 for none;
// Outputs: noisy   N float32 tensors, noisy_i = f32(f32(g_i · c) + ε_i), which is f32(g_i + ε_i) for c = 1. A global-norm
//                  clip's coefficient, left to this op by a captured step, so the clip makes no pass of its own.
// Attr:    chunk_groups, groups (4 values) per chunk.
//
// The rectangle test (≈97 % of values) runs on units of chunks side by side (4 chunks in 16 lanes with AVX-512, 2 in 8
// lanes otherwise), on the calling thread and, for a large draw, one thread of TensorFlow's intra-op pool; the misses
// are resolved on the calling thread in index order from the one slow-path stream, as the JS code does. A draw may also
// have been made ahead by the library's own thread (`prefetch`); the op then only adds it. The ziggurat tables are JS's
// own (set once through the N-API export `setZigguratTables`), so no table entry can differ by an ulp from the ones the
// other implementations use.
//
// The source is this file and the headers beside it, each included only here: lane_noise_stream.h (the tables and the
// slow path), lane_noise_kernels.h (the rectangle-test kernels), lane_noise_draw.h (one call's draw, shared between
// threads) and lane_noise_prefetch.h (draws made ahead). The manifest's SHA-256 covers all of them.
//
// Built by `anneal backend install tensorflow` against the TensorFlow headers of the wheel it links against,
// with -ffp-contract=off (no fused multiply-adds: every product and sum rounds as in JS).

#include <node_api.h>

#include <cstdint>
#include <cstring>
#include <memory>

#include "tensorflow/core/framework/op.h"
#include "tensorflow/core/framework/op_kernel.h"
#include "tensorflow/core/framework/shape_inference.h"

#include "lane_noise_draw.h"
#include "lane_noise_kernels.h"
#include "lane_noise_prefetch.h"

namespace {

using tensorflow::OpKernel;
using tensorflow::OpKernelConstruction;
using tensorflow::OpKernelContext;
using tensorflow::Tensor;

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
    const Tensor& scale = ctx->input(grads.size() + 1);
    OP_REQUIRES(ctx, scale.dtype() == tensorflow::DT_FLOAT && scale.NumElements() == 1,
                tensorflow::errors::InvalidArgument("AnnealLaneNoiseAdd: scale must be one float32, got ", scale.NumElements(), " values"));
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
    const float c = scale.flat<float>()(0);
    if (AddPrefetched(view, grads.size(), n, chunk_groups_, seed, seeds.NumElements(), c)) return;
    req->n = n;
    req->scale = c;
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
    .Input("scale: float")
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
  t.PairUp();
  g_tables = t;
  g_kernel = PickKernel();  // may time the kernels, which needs the tables
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

// kernel(): which rectangle-test kernel runs, 'avx512', 'avx2', 'avx2-loads' or 'plain' (picked when the tables are set;
// ANNEAL_NOISE_KERNEL forces one).
napi_value KernelName(napi_env env, napi_callback_info) {
  napi_value name;
  napi_create_string_utf8(env, g_kernel.name, NAPI_AUTO_LENGTH, &name);
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
