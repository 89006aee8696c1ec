// The NoC's parameters kernels name (tt-metal's noc/noc_parameters.h), from the chip description: alignments of
// reads and writes in L1 and DRAM, the burst size, where a NoC address keeps its coordinates.
#pragma once
#ifndef TENSIX_L1_ALIGNMENT
#define TENSIX_L1_ALIGNMENT 16
#define TENSIX_DRAM_ALIGNMENT 32
#endif
#define NOC_L1_READ_ALIGNMENT_BYTES TENSIX_L1_ALIGNMENT
#define NOC_L1_WRITE_ALIGNMENT_BYTES TENSIX_L1_ALIGNMENT
#define NOC_DRAM_READ_ALIGNMENT_BYTES TENSIX_DRAM_ALIGNMENT
#define NOC_DRAM_WRITE_ALIGNMENT_BYTES TENSIX_L1_ALIGNMENT
#define NOC_L1_ALIGNMENT_BYTES TENSIX_L1_ALIGNMENT
#define NOC_ADDR_COORD_SHIFT NOC_ADDR_LOCAL_BITS
