# How gradquant's kernels are compiled, shared by this directory's Makefile (the product's fatbin)
# and benchmarks/cuda/Makefile (the benchmark-only kernels), so that both are built alike.
NVCC ?= $(shell command -v nvcc 2>/dev/null || { test -x /usr/local/cuda/bin/nvcc && echo /usr/local/cuda/bin/nvcc; })

# SASS for every architecture we test on, and PTX for the oldest so that newer GPUs can JIT it.
ARCHS := 75 80 86 89 90
GENCODE := $(foreach a,$(ARCHS),-gencode arch=compute_$(a),code=sm_$(a)) -gencode arch=compute_75,code=compute_75

# --fmad=false: no fused multiply-add, so float results equal the Java reference bit for bit.
# -Xptxas -warn-spills,-Werror: a register spill is a build error. -no-compress keeps the fatbin
# inspectable (FatbinContentTest parses it).
NVCCFLAGS := -fatbin -std=c++17 --fmad=false -lineinfo -no-compress -Werror all-warnings \
             -Xptxas -warn-spills,-Werror $(GENCODE)
