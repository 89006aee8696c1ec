// The seam between a kernel and the simulator engine. A kernel binary holds one pointer, `tensix_api`, that the engine
// fills when it loads the kernel; every kernel API call goes through it, so a kernel binary has no undefined symbols.
// Kernels never use this header directly: they include dataflow_api.h or compute_kernel_api.h as on the chip.
#pragma once
#include <cstdint>
#include <cstddef>

#define TENSIX_MAX_BANKS 256

struct TxThread {             // the RISC-V thread running now, as it sees itself
    uint8_t my_x[2], my_y[2];  // its core's NoC coordinates, in NoC 0's and NoC 1's frame
    uint32_t core;             // logical core index
    uint32_t proc;             // 0 BRISC, 1 NCRISC, 2 TRISC (compute)
    uint8_t print_hex, print_width, print_precision, print_fixed;  // DPRINT's stream state, kept per thread as on the chip
    uint64_t read_state, write_state;     // the NoC command registers the *_set_state / *_with_state calls leave set
    uint32_t read_state_size, write_state_size;
};

struct TxApi {
    TxThread* self;  // set by the engine before it resumes a thread
    uint32_t noc_size_x, noc_size_y, num_dram_banks, num_l1_banks;
    uint8_t dram_x[TENSIX_MAX_BANKS], dram_y[TENSIX_MAX_BANKS];  // NoC 0 coordinates of each bank
    uint8_t l1_x[TENSIX_MAX_BANKS], l1_y[TENSIX_MAX_BANKS];
    uint32_t (*arg)(uint32_t index);        // runtime arg, range-checked
    uint32_t (*arg_addr)(uint32_t index);   // its L1 address
    uint32_t (*semaphore)(uint32_t id);     // a semaphore's L1 address
    void (*noc_read)(uint8_t noc, uint64_t src, uint32_t dst_l1, uint32_t size);
    void (*noc_write)(uint8_t noc, uint32_t src_l1, uint64_t dst, uint32_t size, const char* what);  // `what`: the API call, for errors
    void (*noc_write_mcast)(uint8_t noc, uint32_t src_l1, uint64_t dst, uint32_t size, uint32_t num_dests, bool self, const char* what);
    void (*noc_read_barrier)(uint8_t noc);
    void (*noc_write_barrier)(uint8_t noc);
    void (*sem_inc)(uint8_t noc, uint64_t dst, uint32_t incr);
    void (*sem_set)(volatile uint32_t* sem, uint32_t value);
    void (*sem_wait)(volatile uint32_t* sem, uint32_t value);      // until *sem == value
    void (*sem_wait_min)(volatile uint32_t* sem, uint32_t value);  // until *sem >= value
    void (*cb_reserve_back)(int32_t cb, int32_t pages);
    void (*cb_push_back)(int32_t cb, int32_t pages);
    void (*cb_wait_front)(int32_t cb, int32_t pages);
    void (*cb_pop_front)(int32_t cb, int32_t pages);
    bool (*cb_pages_available)(int32_t cb, int32_t pages);
    bool (*cb_pages_reservable)(int32_t cb, int32_t pages);
    uint32_t (*cb_write_ptr)(int32_t cb);
    uint32_t (*cb_read_ptr)(int32_t cb);
    uint32_t (*cb_page_size)(int32_t cb);
    uint32_t (*cb_format)(int32_t cb);
    uint32_t (*cb_size)(int32_t cb);  // bytes
    void (*noc_atomic_barrier)(uint8_t noc);
    void (*print)(const char* text, size_t len);  // DPRINT: text up to ENDL() becomes one line on the host
    void (*fail)(const char* message);            // stops the run with an error naming this thread
    void (*tick)(uint64_t cycles);                // advances this thread's clock

    // ---- the math engine (compute kernels): tiles move from circular buffers into the destination register, are
    // worked on there, and are packed out into circular buffers
    // unpack_to_dest: a bit per circular buffer whose float32 tiles copy_tile puts straight into a float32 register
    void (*compute_init)(uint32_t math_fidelity, uint32_t fp32_dest_acc, uint32_t approx, uint32_t unpack_to_dest);
    void (*regs)(uint32_t action);  // TxRegs
    void (*copy_tile)(int32_t cb, uint32_t tile, uint32_t dst);
    void (*binary)(uint32_t op, uint32_t bcast, int32_t cb0, int32_t cb1, uint32_t tile0, uint32_t tile1, uint32_t dst, uint32_t acc);
    void (*matmul)(int32_t cb0, int32_t cb1, uint32_t tile0, uint32_t tile1, uint32_t dst, uint32_t transpose);
    void (*unary)(uint32_t op, uint32_t dst, uint32_t param);
    void (*dst_binary)(uint32_t op, uint32_t dst0, uint32_t dst1, uint32_t odst);  // the SFPU between register tiles
    void (*dst_where)(uint32_t cond, uint32_t if_true, uint32_t if_false, uint32_t odst);
    void (*reduce)(uint32_t pool, uint32_t dim, int32_t cb, int32_t cb_scaler, uint32_t tile, uint32_t scaler_tile, uint32_t dst);
    void (*transpose)(int32_t cb, uint32_t tile, uint32_t dst);
    void (*pack)(uint32_t dst, int32_t cb, int32_t slot);  // slot < 0: the next slot of the reserved pages
    void (*tilize)(int32_t in_cb, uint32_t tiles, int32_t out_cb, uint32_t untilize);
    void (*pack_relu)(uint32_t relu_type);  // 0 none, 1 max(x, 0) on every packed value
    // rows x block_ct register tiles from `dst` out as rows into cb's reserved pages, rows full_ct tiles wide, at column
    // block col_block
    void (*pack_untilize)(uint32_t dst, uint32_t block_ct, uint32_t full_ct, uint32_t col_block, uint32_t rows, int32_t cb);
    void (*pack_l1_acc)(uint32_t enable);  // packs add to the tile already in L1 (Wormhole, Blackhole)
    // 2024's max pool: rows of the front page of cb0 tilized into source register A (face_r_dim rows per face, the
    // rest -infinity), one tile per later reduce_math, with the scaler tile of cb1 in source register B; block 0 is the
    // init (tilizeA_B_reduce_init), which sets face_r_dim for later calls, which pass face_r_dim 0
    void (*tilize_ab)(int32_t cb0, int32_t cb1, uint32_t block, uint32_t scaler_tile, uint32_t num_faces, uint32_t face_r_dim);
    void (*reduce_math)(uint32_t pool, uint32_t dim, uint32_t dst, uint32_t num_faces);
    // pack_untilize with part of each tile: face_r_dim rows of num_faces faces (1 or 2: 16 or 32 columns)
    void (*pack_untilize_faces)(uint32_t dst, uint32_t tiles, int32_t cb, uint32_t face_r_dim, uint32_t num_faces);
    // unary with the SFPU ops' further float-bit params (hardtanh: min, max; selu: scale, alpha; softplus: beta,
    // 1 / beta, threshold)
    void (*unary3)(uint32_t op, uint32_t dst, uint32_t param0, uint32_t param1, uint32_t param2);
    // today's sfpu_reduce: register tile dst reduced in place over its rows (into column 0) or columns (into row 0);
    // format: a DataFormat code (Int32 and UInt32 reduce the words)
    void (*sfpu_reduce)(uint32_t pool, uint32_t dim, uint32_t dst, uint32_t format);
    // the matmul's math fidelity from here on (llk_math_matmul_init<F>: ttnn's reduce along rows runs its matmul at
    // HiFi4 whatever the kernel's fidelity; the matmul inits set the kernel's again)
    void (*matmul_fidelity)(uint32_t math_fidelity);
    // pack_untilize from a circular buffer's front tiles: as pack_untilize, the tiles read from in_cb
    void (*untilize_rows)(int32_t in_cb, uint32_t block_ct, uint32_t full_ct, uint32_t col_block, uint32_t rows, int32_t cb);
    // ckernel's mailboxes: a data-movement kernel sends a word to a compute thread; the compute kernel waits for it
    void (*mailbox_write)(uint32_t thread, uint32_t data);
    uint32_t (*mailbox_read)(uint32_t thread);
    bool (*mailbox_not_empty)(uint32_t thread);
    // the strict-init checker (inits.cpp): an init call `call` set up `kind` (TxInit) with `mode`'s detail and flags, and
    // srcA, srcB and the packer for these circular buffers' formats (TX_CB_KEEP: unchanged); an op `call` needs them,
    // and `fix` is the init that sets them up
    void (*init)(uint32_t kind, uint32_t mode, int32_t srca, int32_t srcb, int32_t pack, const char* call);
    void (*need)(uint32_t kind, uint32_t mode, int32_t srca, int32_t srcb, int32_t pack, const char* call, const char* fix);
};

enum TxRegs : uint32_t { TX_REGS_ACQUIRE, TX_REGS_COMMIT, TX_REGS_WAIT, TX_REGS_RELEASE, TX_DST_ACQUIRE_FULL, TX_DST_ACQUIRE_HALF, TX_DST_RELEASE };
enum TxBinary : uint32_t { TX_ADD, TX_SUB, TX_MUL };
enum TxBcast : uint32_t { TX_BCAST_NONE, TX_BCAST_ROW, TX_BCAST_COL, TX_BCAST_SCALAR };
enum TxDstBinary : uint32_t {
    TX_DST_MAX, TX_DST_MIN, TX_DST_ADD, TX_DST_SUB, TX_DST_MUL, TX_DST_DIV, TX_DST_RSUB, TX_DST_POW,
    TX_DST_EQ, TX_DST_NE, TX_DST_LT, TX_DST_GT, TX_DST_LE, TX_DST_GE, TX_DST_XLOGY, TX_DST_ATAN2, TX_DST_FMOD, TX_DST_REMAINDER,
    TX_DST_COPY,  // out = in1, every bit
    TX_DST_IDIV,  // div_int32: two int32 tiles in, their float32 quotient out
    // integer ops on the 32-bit words the register holds; results are words again
    TX_DST_IMOD, TX_DST_AND, TX_DST_OR, TX_DST_XOR, TX_DST_SHL, TX_DST_SHR, TX_DST_IADD, TX_DST_ISUB, TX_DST_IRSUB, TX_DST_IMUL,
    TX_DST_SHR_LOGICAL, TX_DST_IDIV_TRUNC, TX_DST_IDIV_FLOOR, TX_DST_IFMOD, TX_DST_GCD, TX_DST_LCM, TX_DST_IMAX, TX_DST_IMIN,
    TX_DST_ILT, TX_DST_IGT, TX_DST_ILE, TX_DST_IGE,
    TX_DST_ROUND_NEAREST = 1u << 8,  // or-ed in: round a bfloat16 result to nearest even instead of the store's truncation
    TX_DST_UNSIGNED = 1u << 9,       // or-ed in: the integers are unsigned (DataFormat::UInt32/UInt16), not int32
    TX_DST_LO16 = 1u << 10,          // or-ed in: DataFormat::UInt16, the low 16 bits of each word
};
enum TxUnary : uint32_t {
    TX_EXP, TX_EXP_APPROX, TX_LOG, TX_SQRT, TX_RSQRT, TX_RECIP, TX_RELU, TX_RELU_MAX, TX_RELU_MIN, TX_GELU, TX_SIGMOID, TX_TANH,
    TX_ABS, TX_NEG, TX_SQUARE, TX_POWER, TX_SIN, TX_COS, TX_SIGN, TX_EQZ, TX_NEZ, TX_LTZ, TX_GTZ, TX_LEZ, TX_GEZ, TX_EXP2,
    TX_EXPM1, TX_LOG_BASE, TX_LEAKY_RELU, TX_ELU, TX_HEAVISIDE, TX_FILL, TX_ADD_SCALAR, TX_MUL_SCALAR, TX_SUB_SCALAR,
    TX_RSUB_SCALAR, TX_DIV_SCALAR, TX_TAN, TX_ERF, TX_SILU, TX_LOGICAL_NOT,
    TX_ERFC, TX_ERFINV, TX_I0, TX_SIGNBIT, TX_ISINF, TX_ISPOSINF, TX_ISNEGINF, TX_ISNAN, TX_ISFINITE, TX_ASIN, TX_ACOS,
    TX_ATAN, TX_IDENTITY, TX_MASK, TX_TRUNC,  // TX_MASK: param is the mask's register tile
    TX_EQZ_INT, TX_NEZ_INT, TX_LTZ_INT, TX_GTZ_INT, TX_LEZ_INT, TX_GEZ_INT,  // on int32 words: 1 or 0, as a word
    TX_FILL_INT,  // every word of the tile: param
    TX_RPOW, TX_RDIV, TX_RDIV_TRUNC, TX_RDIV_FLOOR,  // param: float bits; pow(param, x), param / x (then rounded)
    // today's fused matmul activations (unary_sfpu3: up to three float-bit params)
    TX_HARDSIGMOID, TX_HARDTANH, TX_SELU, TX_SOFTPLUS, TX_MISH, TX_GELU_TANH,
    TX_POWER_ITERATIVE,  // param: a non-negative integer exponent, by repeated squaring in float32
    TX_NEG_INT,  // negative_tile_int32: each 32-bit word's two's complement (wraps, as C's unsigned and int32 do)
};
const uint32_t TX_WHERE_INT = 1u << 16;  // or-ed into where's output tile: the choices are integer words
const uint32_t TX_ON_PACKER = 1u << 20;  // or-ed into a TxUnary op: issued by the pack thread on the tiles it holds
// What an init sets up, and what an op needs (inits.cpp). The op modes are the unpacker's and math engine's; the packer's
// untilize mode, the reduce's edge mask on the packer and the SFPU op are kept apart.
enum TxInit : uint32_t {
    TX_INIT_NONE,     // the kernel's start: nothing set up
    TX_INIT_STARTUP,  // the hardware configured, no op mode (compute_kernel_hw_startup, binary_op_init_common)
    TX_INIT_UNKNOWN,  // a mode the checker does not follow: any op may come next
    TX_INIT_COPY, TX_INIT_TRANSPOSE, TX_INIT_BINARY, TX_INIT_MATMUL, TX_INIT_REDUCE, TX_INIT_TILIZE, TX_INIT_UNTILIZE,
    TX_INIT_PACK_UNTILIZE, TX_UNINIT_PACK_UNTILIZE, TX_UNINIT_REDUCE, TX_UNINIT_TILIZE, TX_INIT_FORMATS, TX_INIT_SFPU,
    TX_NEED_SFPU, TX_NEED_PACK,
};
// A mode's detail: a binary op's TxBinary | TxBcast << 4, a reduce's TxPool | TxReduceDim << 4; 0xf in either half: any.
const uint32_t TX_ANY = 0xff;
const uint32_t TX_INIT_HW = 1u << 8;         // or-ed into an init's mode: it configures unpacker, math and packer
const uint32_t TX_INIT_PACK_MASK = 1u << 9;  // or-ed into a reduce init's mode: it sets the packer's edge mask
const int32_t TX_CB_KEEP = -1, TX_CB_UNKNOWN = -2;  // an init's format argument: unchanged, or may have changed

enum TxPool : uint32_t { TX_POOL_SUM, TX_POOL_AVG, TX_POOL_MAX, TX_POOL_MIN };
enum TxReduceDim : uint32_t { TX_REDUCE_ROW, TX_REDUCE_COL, TX_REDUCE_SCALAR };

extern "C" TxApi* tensix_api;

// Scalar code between API calls takes no simulated time (timing it on the host would make runs nondeterministic); a
// kernel that does real work there may say what it costs on the chip: tensix_charge_cycles(n) advances its clock by n
// (a compute kernel's math stage).
static inline void tensix_charge_cycles(uint64_t cycles) { tensix_api->tick(cycles); }
