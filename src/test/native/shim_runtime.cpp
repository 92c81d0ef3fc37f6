// The block engine of the CPU stand-in. A launch starts blockDim.x std::threads; each runs the
// kernel for block 0, meets the others at a barrier, runs block 1, and so on, so shared memory
// (statics and the dynamic buffer) belongs to one block at a time.
#include "shim_runtime.h"

#include <stdio.h>
#include <stdlib.h>

#include <atomic>
#include <barrier>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace gq_shim {

thread_local uint3 thread_index;
thread_local uint3 block_index;
thread_local dim3 block_dimension;
thread_local dim3 grid_dimension;

namespace {

constexpr unsigned WARP = 32;
constexpr unsigned MAX_THREADS = 1024;
constexpr size_t MAX_DYNAMIC_SHARED = 48 * 1024;

// __syncthreads_or: threads OR their predicate into `votes`; the barrier's completion step, which
// runs once all have arrived and before any leaves, publishes the result and clears the votes.
struct Block;

struct Publish {
    Block* block;
    void operator()() noexcept;
};

struct Warp {
    std::barrier<> barrier{WARP};
    // Two sets of slots used alternately: a lane can write the next shuffle's slot while a slower
    // lane still reads this one's.
    alignas(8) unsigned char slots[2][WARP][8];
};

struct Block {
    explicit Block(unsigned threads) : barrier(threads, Publish{this}), warps(threads / WARP) {
        for (auto& w : warps) w = std::make_unique<Warp>();
    }
    std::barrier<Publish> barrier;
    std::atomic<int> votes{0};
    int vote = 0;
    std::vector<std::unique_ptr<Warp>> warps;
};

void Publish::operator()() noexcept {
    block->vote = block->votes.exchange(0, std::memory_order_relaxed);
}

thread_local Block* current_block;
thread_local unsigned shuffle_parity;

std::mutex launch_lock;
alignas(16) unsigned char dynamic_shared[MAX_DYNAMIC_SHARED];

}  // namespace

void sync_block() { current_block->barrier.arrive_and_wait(); }

int sync_block_or(int predicate) {
    if (predicate) current_block->votes.fetch_or(1, std::memory_order_relaxed);
    current_block->barrier.arrive_and_wait();
    return current_block->vote;
}

void warp_exchange(const void* value, void* out, size_t size, unsigned source) {
    Warp& w = *current_block->warps[thread_index.x / WARP];
    unsigned lane = thread_index.x % WARP;
    memcpy(w.slots[shuffle_parity][lane], value, size);
    w.barrier.arrive_and_wait();
    memcpy(out, w.slots[shuffle_parity][source % WARP], size);
    shuffle_parity ^= 1;
}

std::string launch(Kernel kernel, const void* argument, dim3 grid, dim3 block, size_t shared_bytes) {
    if (grid.y != 1 || grid.z != 1 || block.y != 1 || block.z != 1) return "the stand-in runs 1-D launches only";
    if (grid.x == 0 || block.x == 0 || block.x > MAX_THREADS || block.x % WARP != 0) {
        return "block size " + std::to_string(block.x) + " is not a multiple of 32 in [32, 1024]";
    }
    if (shared_bytes > MAX_DYNAMIC_SHARED) return "more than 48 KiB of dynamic shared memory";
    std::lock_guard<std::mutex> one_at_a_time(launch_lock);
    Block engine(block.x);
    auto run = [&](unsigned t) {
        thread_index = {t, 0, 0};
        block_dimension = block;
        grid_dimension = grid;
        current_block = &engine;
        shuffle_parity = 0;
        for (unsigned b = 0; b < grid.x; b++) {
            block_index = {b, 0, 0};
            kernel(argument);
            engine.barrier.arrive_and_wait();  // the next block reuses the shared memory
        }
    };
    std::vector<std::thread> threads;
    threads.reserve(block.x);
    try {
        for (unsigned t = 0; t < block.x; t++) threads.emplace_back(run, t);
    } catch (const std::system_error& e) {
        // the started threads wait at the first barrier for the missing ones: cannot recover
        fprintf(stderr, "stand-in: cannot start thread: %s\n", e.what());
        abort();
    }
    for (std::thread& t : threads) t.join();
    return "";
}

}  // namespace gq_shim

namespace gq {
float* gq_stand_in_dynamic_shared() { return reinterpret_cast<float*>(gq_shim::dynamic_shared); }
}  // namespace gq
