// Runs a kernel compiled with cuda_shim.h on the CPU: one std::thread per CUDA thread of a block,
// the blocks of the grid one after another.
#pragma once
#include <stddef.h>

#include <string>

#include "cuda_shim.h"

namespace gq_shim {

using Kernel = void (*)(const void* argument);

// Runs kernel(argument) over grid x block threads with `shared_bytes` of dynamic shared memory.
// One launch at a time in the process: launches from several host threads are serialised.
// Returns an empty string, or why the launch was refused (nothing ran).
std::string launch(Kernel kernel, const void* argument, dim3 grid, dim3 block, size_t shared_bytes);

}  // namespace gq_shim
