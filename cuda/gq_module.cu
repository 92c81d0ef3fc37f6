// The one translation unit that nvcc compiles into gradquant.fatbin (and that the CPU stand-in in
// src/test/native compiles with g++). A single input is what lets nvcc emit SASS and PTX into one
// fatbin; separate compilation would need a device link, which drops the PTX.
#include "gq_decode.cu"
#include "gq_exponential.cu"
#include "gq_hadamard.cu"
#include "gq_smart.cu"
#include "gq_standard.cu"
#include "gq_stats.cu"
