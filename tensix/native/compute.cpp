// The math engine of a Tensix core, as a compute kernel sees it. Unpack brings a tile from a circular buffer into
// the source registers (bfloat16 values here), the matrix unit (FPU) or the vector unit (SFPU) computes into the
// destination register (16 tiles; bfloat16 on Grayskull, float32 with fp32_dest_acc_en), and pack converts a tile of
// the destination register into a circular buffer's format.
//
// Multiplies follow the chip's fidelity: per pass the multiplier takes 5 bits of the srcA operand's significand and 7
// of srcB's; LoFi does one pass (high bits x high bits), HiFi2 adds srcA's low bits, HiFi3 also srcB's low bit, HiFi4
// is the exact product of two bfloat16 values. Tiles are kept row-major here; in L1 they are four 16x16 faces.
#include <chrono>
#include <cmath>
#include <numeric>
#include "engine.h"

enum { LEFT, RIGHT, RIGHT_T, LOADED };  // operand roles: in0 (srcB), in1 (srcA), in1 transposed; a copy_tile's page

struct Math;

// A matmul's operand tile as queued: its page in L1, and what names it while the page stays at the front of its
// circular buffer (matmuls reuse each tile across a row or column of outputs). A pop of that buffer, a new run or a new
// fidelity (a new epoch) gives the same page another name.
struct Tile {
    const uint8_t* page = nullptr;
    uint64_t epoch = 0;  // its compute thread's (Math::epoch)
    int32_t cb = -1;
    uint32_t addr = 0, popped = 0, role = 0, format = 0;
    bool operator==(const Tile& t) const { return epoch == t.epoch && addr == t.addr && cb == t.cb && popped == t.popped && role == t.role; }
};

// An operand tile unpacked, in the cache of the host thread that multiplies it.
struct Operand {
    Tile tile;
    float* v2 = nullptr;  // HiFi3's second pass's part (in Operands::second, made only for a kernel at HiFi3)
    float* v = nullptr;   // the operand as the multiplier's passes see it (in Operands::values)
    uint32_t* pairs = nullptr;  // the same as bfloat16 pairs along k, for dot() (in Operands::pairs), if `paired`
    int32_t lo = 0, hi = 0;     // the smallest exponent field of its nonzero values, and the largest
    bool paired = false;
};

// Operand tiles kept unpacked, a cache for each host thread that multiplies (the engine's and each helper's): each
// thread unpacks the tiles it multiplies. Where one thread multiplies tiles another just unpacked, the processors pass
// the lines between their caches, and both slow down: on an Intel Xeon, matmul_multicast 1024^3 took 0.64 to 0.77 us a
// tile matmul shared with operands either thread unpacked, against 0.46 alone. A cache for each compute thread (each
// core) held 64 MB for 8x8 cores, and every unpack wrote lines no processor cache held: one cache, matmul_multicast
// 1024^3 on one Zen 3 CPU took 8% less engine time. Found through a direct-mapped index by the compute thread's
// epoch, circular buffer, address and role, not a scan of every entry.
const int CACHE = 256, INDEX = 4096;
// Queued matmuls are shared out in chunks of whole destination tiles, at least MIN_CHUNK matmuls a chunk; a flush
// with fewer than two chunks' worth runs on this thread. Finer chunks cost more than they save (each claim moves a
// cache line between processors, each tile's sums move to the thread that packs them): matmul_multicast 4096^3
// flushes 16 matmuls into 8 tiles, and one tile a chunk took 2.03 s a call against 1.68 unshared, two chunks of four
// tiles 1.38 (AVX512_BF16, interleaved with numpy, medians of alternated processes); 2048^3 (flushes of 64 into 8)
// 148 ms against 172 unshared; 1024^3 (256 into 8) keeps its 8 chunks. On the AVX2 stand-in 4096^3 1.78 s against
// 1.83 with one tile a chunk.
const size_t MIN_CHUNK = 8;
// A tile matmul not yet done. zero: dst holds an acquire's zeros it has not written yet (the register zeroes a tile
// lazily): the matmul adds its sums to +0 instead of reading the tile. So the engine's thread does not zero a tile a
// helper sums into: a 4 KB memset on the engine's thread, whose lines the helper then fetched from its cache.
struct Pending {
    Tile a, b;
    float* dst;
    bool zero;
    // Not a matmul but a copy_tile (a = b = its page), queued so that a batch brings its own partial sums back from L1:
    // a matmul spilling partial sums at every k block (matmul_multicast 4096^3: 8 tiles brought back for 16 matmuls)
    // would else decode them on the engine's thread, into a register a helper then sums into and packs from, the
    // bytes crossing between the two processors' caches twice a k block.
    uint8_t load = 0;
};
enum { MATMUL, LOAD_AS_IS, LOAD_VIA_SRCA };  // Pending::load: a copy_tile's words as the unpacker wrote them (UnpackToDestFp32), or through srcA
// Queued matmuls in the order they run: by destination tile, the tiles by column (by_column), each tile's matmuls in
// the order queued: tile t's are pending[matmuls[starts[t]]] to pending[matmuls[starts[t + 1] - 1]].
struct Order { std::vector<uint32_t> matmuls, starts; size_t tiles() const { return starts.size() - 1; } };
struct Pack { uint32_t tile; uint8_t* page; uint32_t format; int32_t cb; };  // a pack_tile not yet done: register tile -> page
struct Batch;
struct Register { alignas(64) float tiles[16][1024]; };  // the destination register's 16 tiles of 32-bit words

struct Math {
    float (*dst)[1024] = (new Register)->tiles;  // a batch may take this one and leave its own (post)
    std::vector<Pending> pending;  // matmul_tiles calls, done when the register is next read or handed over
    std::vector<Pack> packs;       // then the pack_tile calls of their tiles (flush, or a batch: post)
    uint32_t pending_tiles = 0;    // the tiles they go into, a bit each
    uint32_t held_tiles = 0;       // tiles whose sums the last posted batch holds, until the register is acquired again
    Order order;                   // the order they run in (flush)
    size_t chunks = 1;             // how many runs of them a flush shares out
    std::deque<Batch*> posted;     // sub-blocks handed to a helper, oldest first (settle)
    const uint8_t *packed_lo = nullptr, *packed_hi = nullptr;  // the posted batches pack within [lo, hi)
    bool batching = false;  // a sub-block was handed over since compute_init: copy_tile queues its tile too (Pending::load)
    bool raw_pointers = false;  // the kernel took a pointer into its circular buffers since compute_init (raw_pointer_math)
    uint64_t epoch = 0;  // its operands' names carry this epoch, unique to it: a new one retires them all
    bool fresh[16];  // untouched since acquire: a max reduction starts from -infinity there, not from the zero
    uint32_t dirty = 0xffff;  // tiles that may hold something other than zeros
    uint32_t unzeroed = 0;    // tiles zeroed by an acquire that still hold old words: zeroed when first used, unless overwritten
    // Tiles holding 32-bit integer words, not float32 values (and of them, those the kernel treats as unsigned): the
    // register in 32-bit mode keeps whatever word the unpacker or an integer SFPU op put there, every bit of it.
    uint32_t ints = 0, uints = 0;
    uint32_t fidelity = 4, state = 0, capacity = 16;
    uint32_t mm_fidelity = 4;  // the matmul's: the kernel's, or what llk_math_matmul_init<F> set
    uint32_t unpack_to_dest = 0;  // a bit per circular buffer: copy_tile takes its float32 tiles straight to the register
    bool fp32 = false, approx = false, relu = false, l1_acc = false;  // l1_acc: packs add to what L1 holds
    std::vector<std::vector<float>> srca;  // tiles unpack_tilizeA_B_block put in source register A, for reduce_tile_math
    float srcb_scaler = 1.0f;
    uint32_t tilize_face_r_dim = 16;  // rows of a face unpack_tilizeA_B_block takes, as tilizeA_B_reduce_init set it
};

static void unpack_operand(Operand& o, uint32_t fidelity);
struct Operands {
    // The entries' keys together, their values apart: a lookup touches a few lines, not one line and one page per
    // entry; each value starts a cache line, so a 16-wide load or store takes one line, not two.
    Operand cache[CACHE];
    alignas(64) float values[CACHE][1024];
#ifdef __AVX512BF16__
    alignas(64) uint32_t pairs[CACHE][512];
#endif
    int16_t index[INDEX];       // hash of (epoch, cb, address, role) -> the entry that last held it, or -1
    std::vector<float> second;  // every entry's v2, 1024 floats each (made for the first kernel at HiFi3)
    uint32_t next = 0;          // the entry to replace next
    Operands() {
        std::fill(std::begin(index), std::end(index), -1);
        for (int k = 0; k < CACHE; k++) cache[k].v = values[k];
#ifdef __AVX512BF16__
        for (int k = 0; k < CACHE; k++) cache[k].pairs = pairs[k];
#endif
    }
    int16_t& slot(const Tile& t) {
        return index[((t.addr >> 4) * 0x9E3779B1u ^ (uint32_t)(t.cb * 3 + t.role) * 0x85EBCA77u ^ (uint32_t)t.epoch * 0xC2B2AE35u) >> 20];
    }
    bool has(const Tile& t) { int16_t at = slot(t); return at >= 0 && cache[at].tile == t; }
    // The tile unpacked: found, or unpacked into the entry used longest ago (never `keep`, the other operand of the
    // matmul at hand).
    const Operand& get(const Tile& t, uint32_t fidelity, const Operand* keep = nullptr) {
        int16_t& at = slot(t);
        if (at >= 0 && cache[at].tile == t) return cache[at];
        if (&cache[next % CACHE] == keep) next++;
        at = next++ % CACHE;
        Operand& o = cache[at];
        o.tile = t;
        if (fidelity == 3 && !o.v2) {
            if (second.empty()) second.resize(CACHE * 1024);
            o.v2 = &second[at * 1024];
        }
        unpack_operand(o, fidelity);
        return o;
    }
};
static Operands operands;  // the engine thread's
static thread_local Operands* helpers_operands;  // a helper's, made when it first multiplies
static Operands& my_operands() {
    if (!on_helper) return operands;
    return helpers_operands ? *helpers_operands : *(helpers_operands = new Operands);
}
static uint64_t epochs = 0;  // the last epoch given to a Math

// The destination register's protocol, as tile_regs_* / acquire_dst drive it. BOTH: the packer waited before the math
// side committed, as a kernel whose math and pack run in one block may write it (on the chip the pack thread's
// tile_regs_wait just blocks until the math thread's commit); math and pack may both use the register until the commit.
enum { IDLE, MATH, COMMITTED, PACKING, FULL, BOTH };

static inline Math& m() {  // one per pooled thread, kept across runs; untouched until used
    if (!cur->math) { cur->math = new Math; cur->math->epoch = ++epochs; }
    return *cur->math;
}

// ---------------------------------------------------------------- numbers
static inline uint32_t bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float value(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline float bf16(float f) {  // round to the nearest bfloat16, ties to even; written without branches to vectorize
    uint32_t u = bits(f);
    uint32_t r = (u + 0x7fff + ((u >> 16) & 1)) & 0xffff0000;
    return value((u & 0x7fffffff) > 0x7f800000 ? 0x7fc00000 : r);
}
static inline float to_dst(const Math& mm, float f) { return mm.fp32 ? f : bf16(f); }
static inline float tf32(float f) {  // round to the source registers' 19 bits (10 of significand) on Wormhole and Blackhole
    uint32_t u = bits(f);
    uint32_t r = (u + 0xfff + ((u >> 13) & 1)) & 0xffffe000;
    return value((u & 0x7fffffff) > 0x7f800000 ? 0x7fc00000 : r);
}
// A value on its way into srcA or srcB: bfloat16, or TF32 when the register is float32 (tt-metal's unpacker formats).
static inline float to_src(const Math& mm, float f) { return mm.fp32 ? tf32(f) : bf16(f); }

// A tile in L1 is four 16x16 faces (top-left, top-right, bottom-left, bottom-right), each row-major: row r's half
// `half` (columns 16 * half to 16 * half + 15) is 16 values in a row, starting here.
static inline int face_row(int r, int half) { return (r / 16) * 512 + half * 256 + (r % 16) * 16; }

static uint16_t face_index[1024];  // row-major (r, c) -> position in the tile's faces
static bool faces_ready = [] {
    for (int r = 0; r < 32; r++)
        for (int c = 0; c < 32; c++) face_index[r * 32 + c] = face_row(r, c / 16) + c % 16;
    return true;
}();

// A face row is 16 values in a row either way: move them 16 at a time.
static void faces_to_rows(const float* f, float* rm) {
    for (int r = 0; r < 32; r++)
        for (int h = 0; h < 2; h++) memcpy(rm + r * 32 + h * 16, f + face_row(r, h), 64);
}
static void rows_to_faces(const float* rm, float* f) {
    for (int r = 0; r < 32; r++)
        for (int h = 0; h < 2; h++) memcpy(f + face_row(r, h), rm + r * 32 + h * 16, 64);
}

static uint32_t tile_bytes(uint32_t format) {
    switch (format) {
        case 0: case 8: case 24: return 4096;  // Float32, Int32, UInt32
        case 1: case 5: case 9: return 2048;   // Float16, Float16_b, UInt16
        case 6: return 1088;                   // Bfp8_b
        case 7: return 576;                    // Bfp4_b
        case 30: return 1024;                  // UInt8
        default: return 0;
    }
}

static float half_to_float(uint16_t h) { _Float16 v; memcpy(&v, &h, 2); return (float)v; }
static uint16_t float_to_half(float f) { _Float16 v = (_Float16)f; uint16_t h; memcpy(&h, &v, 2); return h; }

static void decode(const uint8_t* p, uint32_t format, float* rm) {  // one tile in L1 -> row-major floats
    if (format == 5) {  // bfloat16, the common case: widen each face row of 16 straight into place
        const uint16_t* h = (const uint16_t*)p;
        for (int r = 0; r < 32; r++)
            for (int half = 0; half < 2; half++) {
                const uint16_t* src = h + face_row(r, half);
                float* dst = rm + r * 32 + half * 16;
                for (int c = 0; c < 16; c++) dst[c] = value((uint32_t)src[c] << 16);
            }
        return;
    }
    float faces[1024];
    switch (format) {
        case 0: memcpy(faces, p, 4096); break;
        case 5: for (int i = 0; i < 1024; i++) faces[i] = value((uint32_t)((const uint16_t*)p)[i] << 16); break;
        case 1: for (int i = 0; i < 1024; i++) faces[i] = half_to_float(((const uint16_t*)p)[i]); break;
        case 6: case 7: {  // block floats: sign and magnitude per value, one exponent per 16
            int bits = format == 6 ? 7 : 3;
            for (int i = 0; i < 1024; i++) {
                int e = p[i / 16], v = bits == 7 ? p[64 + i] : (p[64 + i / 2] >> (4 * (i & 1))) & 0xf;
                float mag = std::ldexp((float)(v & ((1 << bits) - 1)) / (float)(1 << (bits - 1)), e - 127);
                faces[i] = v >> bits ? -mag : mag;
            }
            break;
        }
        case 8: for (int i = 0; i < 1024; i++) faces[i] = (float)((const int32_t*)p)[i]; break;
        case 24: for (int i = 0; i < 1024; i++) faces[i] = (float)((const uint32_t*)p)[i]; break;
        case 9: for (int i = 0; i < 1024; i++) faces[i] = (float)((const uint16_t*)p)[i]; break;
        case 30: for (int i = 0; i < 1024; i++) faces[i] = (float)p[i]; break;
    }
    faces_to_rows(faces, rm);
}

static void encode(const float* rm, uint32_t format, uint8_t* p) {  // row-major floats -> one tile in L1
    if (format == 5) {  // bfloat16, the common case: round each face row of 16 straight into place
        for (int r = 0; r < 32; r++)
            for (int half = 0; half < 2; half++) {
                const float* src = rm + r * 32 + half * 16;
                uint16_t* dst = (uint16_t*)p + face_row(r, half);
                for (int c = 0; c < 16; c++) dst[c] = bits(bf16(src[c])) >> 16;
            }
        return;
    }
    float f[1024];
    rows_to_faces(rm, f);
    switch (format) {
        case 0: memcpy(p, f, 4096); break;
        case 1: for (int i = 0; i < 1024; i++) ((uint16_t*)p)[i] = float_to_half(f[i]); break;
        case 6: case 7: {  // one exponent per 16 values (a face row), the largest; magnitudes to 7 or 3 bits, ties to even
            uint32_t nbits = format == 6 ? 7 : 3;
            if (nbits == 3) memset(p + 64, 0, 512);
            for (int g = 0; g < 64; g++) {
                int shared = 0;
                for (int k = 0; k < 16; k++) shared = std::max(shared, (int)((bits(f[g * 16 + k]) >> 23) & 0xff));
                p[g] = (uint8_t)shared;
                for (int k = 0; k < 16; k++) {
                    uint32_t u = bits(f[g * 16 + k]), e = (u >> 23) & 0xff, i = g * 16 + k;
                    uint64_t mant = e ? (u & 0x7fffff) | 0x800000 : 0;
                    uint32_t shift = std::min<uint32_t>(shared - e + 24 - nbits, 40);
                    uint64_t mag = mant >> shift, rest = mant & ((1ull << shift) - 1), half = 1ull << (shift - 1);
                    if (rest > half || (rest == half && (mag & 1))) mag++;
                    mag = std::min<uint64_t>(mag, (1u << nbits) - 1);
                    uint8_t v = mag ? (uint8_t)((u >> 31) << nbits | mag) : 0;
                    if (nbits == 7) p[64 + i] = v;
                    else p[64 + i / 2] |= v << (4 * (i & 1));
                }
            }
            break;
        }
        case 8: for (int i = 0; i < 1024; i++) ((int32_t*)p)[i] = (int32_t)std::nearbyint(f[i]); break;
        case 24: for (int i = 0; i < 1024; i++) ((uint32_t*)p)[i] = (uint32_t)std::max(0.0f, std::nearbyint(f[i])); break;
        case 9: for (int i = 0; i < 1024; i++) ((uint16_t*)p)[i] = (uint16_t)std::clamp(std::nearbyint(f[i]), 0.0f, 65535.0f); break;
        case 30: for (int i = 0; i < 1024; i++) p[i] = (uint8_t)std::clamp(std::nearbyint(f[i]), 0.0f, 255.0f); break;
    }
}

// A float32 in the register's float slots carries any 32-bit word through copies unchanged (moves never touch the bits).
static inline uint32_t word_of(float f) { return bits(f); }
// A float value an integer op meets (a tile of values, such as a fill or a trunc_tile result): its integer, as a word.
static inline uint32_t to_word(float x) {
    return std::fabs(x) < 9.2e18f ? (uint32_t)(uint64_t)(int64_t)x : 0;  // NaN and the out of range give 0
}

// ---------------------------------------------------------------- circular buffers and the destination register
static CB& tile_cb(int32_t i, const char* what) {
    CB& cb = cb_of(i, what);
    if (!tile_bytes(cb.format)) fail("%s: circular buffer %d has data format %u, which the math engine does not take", what, i, cb.format);
    if (cb.page_size != tile_bytes(cb.format))
        fail("%s: circular buffer %d holds pages of %u bytes; a tile of its format takes %u", what, i, cb.page_size, tile_bytes(cb.format));
    return cb;
}

static uint32_t slot_addr(CB& cb, uint32_t from, uint32_t slot) {  // a page `slot` pages after `from`, wrapping
    uint64_t a = from + (uint64_t)slot * cb.page_size;
    return (uint32_t)(a >= cb.addr + cb.size ? a - cb.size : a);
}

// Before the compute thread writes its circular buffers' pages itself: what it queued and the batches it posted, done
// (they pack into those pages, or read them), and, where buffers share memory, its cached operands retired.
static void flush(Math& mm);
static void settled() {
    Math* mm = cur->math;
    if (!mm) return;
    if (!mm->pending.empty()) flush(*mm);  // it reads pages late, popped or not (circular buffers may share memory)
    if (!mm->posted.empty()) settle(mm);
    if (core_of(cur).shares_memory) retire_operands(mm);  // it may write pages another index holds (retire_aliased)
}
static void settle_page(Math& mm, const uint8_t* page, uint32_t bytes, bool packing = false);
static const uint8_t* front(int32_t i, uint32_t tile, const char* what, uint32_t* format) {  // a tile at the front of a circular buffer
    CB& cb = tile_cb(i, what);
    if (tile >= cb.waited)
        fail("%s: tile %u of circular buffer %d is not at its front: this thread has waited for %u pages (cb_wait_front for it first)", what, tile, i, cb.waited);
    *format = cb.format;
    const uint8_t* page = l1(cur->core) + slot_addr(cb, cb.rd, tile);
    if (Math* mm = cur->math) {
        if (!mm->packs.empty()) flush(*mm);  // a queued pack may write it (through another index of shared memory)
        settle_page(*mm, page, cb.page_size);
    }
    return page;
}
static void unpack(int32_t i, uint32_t tile, float* rm, const char* what) {
    uint32_t format;
    const uint8_t* p = front(i, tile, what, &format);
    decode(p, format, rm);
}

static void post(Math& mm);

// A tile of the register as its 32-bit words, whatever they hold (`overwrite`: the caller writes every word of it
// before it reads any).
static float* words(uint32_t d, const char* what, bool packing = false, bool queueing = false, bool overwrite = false) {
    Math& mm = m();
    if (!queueing) flush(mm);  // whatever reads or writes the register sees every matmul before it
    if (mm.held_tiles >> d & 1) settle(&mm);  // its sums are in a batch (post)
    bool ok = mm.state == FULL || mm.state == BOTH || mm.state == (packing ? PACKING : MATH);
    if (!ok) {
        const char* why = mm.state == IDLE ? "the destination register is not acquired (tile_regs_acquire or acquire_dst first)"
                        : packing && mm.state == MATH ? "the math side still holds it (tile_regs_commit, then tile_regs_wait, first)"
                        : packing ? "the packer has not taken it yet (tile_regs_wait first)"
                        : "it was handed to the packer (tile_regs_release, then tile_regs_acquire, first)";
        fail("%s: %s", what, why);
    }
    if (d >= mm.capacity) fail("%s: destination tile %u, but the register holds %u tiles in this mode", what, d, mm.capacity);
    mm.fresh[d] = mm.fresh[d] && packing;
    if (mm.unzeroed >> d & 1) {
        if (!overwrite) memset(mm.dst[d], 0, sizeof mm.dst[d]);
        mm.unzeroed &= ~(1u << d);
    }
    if (!packing) mm.dirty |= 1u << d;
    return mm.dst[d];
}
static void set_ints(Math& mm, uint32_t d, bool is_int, bool is_unsigned) {
    mm.ints = (mm.ints & ~(1u << d)) | (uint32_t)is_int << d;
    mm.uints = (mm.uints & ~(1u << d)) | (uint32_t)(is_int && is_unsigned) << d;
}
// A tile as float32 values, for the float ops. A tile of integer words becomes the integers' values first: the chip's
// float ops would read the words' bits as float32 (a kernel converts with typecast_tile first), but tinygrad's kernels
// here mix float and integer ops on one tile, so tensix hands a float op the integers' values (docs/math.md).
static float* dst(uint32_t d, const char* what, bool packing = false, bool queueing = false, bool overwrite = false) {
    float* o = words(d, what, packing, queueing, overwrite);
    Math& mm = m();
    if (mm.ints >> d & 1) {
        bool u = mm.uints >> d & 1;
        for (int i = 0; i < 1024; i++) o[i] = u ? (float)word_of(o[i]) : (float)(int32_t)word_of(o[i]);
        set_ints(mm, d, false, false);
    }
    return o;
}

// The stages' clocks (engine.h): a stage starts a step when it is free and what the step needs is ready.
static void stage_tick(Stage s, uint64_t ready, uint64_t c) {
    uint64_t& k = cur->stage[s];
    k = std::max(k, ready) + c;
    cur->clock = std::max(cur->clock, k);
    if (s == MATH_STAGE) cur->math_busy += c;
    heartbeat();
}
static void math_tick(uint64_t c) { stage_tick(MATH_STAGE, 0, c); }
static void unpack_then_math(uint32_t tiles, uint64_t c) {  // operand tiles to the source registers, then math on them
    stage_tick(UNPACK_STAGE, 0, tiles * chip.unpack_tile_cycles);
    stage_tick(MATH_STAGE, cur->stage[UNPACK_STAGE], c);
}

// ---------------------------------------------------------------- the kernel API's math entries
static void compute_init(uint32_t fidelity, uint32_t fp32, uint32_t approx, uint32_t unpack_to_dest) {
    AtCall call(__builtin_return_address(0));
    Math& mm = m();
    mm.unpack_to_dest = unpack_to_dest;
    mm.fidelity = mm.mm_fidelity = fidelity == 0 ? 1 : fidelity;  // MathFidelity: LoFi 0, HiFi2 2, HiFi3 3, HiFi4 4 -> passes
    mm.fp32 = fp32; mm.approx = approx; mm.state = IDLE; mm.relu = false; mm.l1_acc = false;
    mm.srca.clear(); mm.tilize_face_r_dim = 16;
    mm.ints = mm.uints = 0;
    mm.pending.clear();  // left by a kernel that ended without reading its register again
    mm.pending_tiles = 0;
    mm.held_tiles = 0;
    mm.batching = mm.raw_pointers = false;
    inits_reset(cur->inits);
    mm.epoch = ++epochs;  // its entries in the cache are stale: a new run refills its circular buffers
}

static void regs(uint32_t action) {
    AtCall call(__builtin_return_address(0));
    Math& mm = m();
    if (action == TX_REGS_RELEASE || action == TX_DST_RELEASE) post(mm);
    else if (action == TX_REGS_ACQUIRE || action == TX_DST_ACQUIRE_FULL || action == TX_DST_ACQUIRE_HALF) flush(mm);
    auto zero = [&] {  // only the tiles written since they were last zeroed, and those when first used (words)
        mm.held_tiles = 0;  // a posted batch's sums are packed and done with
        mm.unzeroed |= mm.dirty;
        mm.dirty = 0;
        mm.ints = mm.uints = 0;  // zeros are zeros either way
        for (bool& f : mm.fresh) f = true;
    };
    uint32_t full = mm.fp32 ? 8 : 16;  // float32 halves what the register holds
    // The handshake in time: math takes a half of the register once the packer has released it (two acquires ago, as
    // the halves alternate); the packer starts on it once math has committed it. A block of math pays a fixed cost.
    Thread& t = *cur;
    switch (action) {
        case TX_REGS_ACQUIRE:
            if (mm.state != IDLE) fail("tile_regs_acquire: the destination register is already held; tile_regs_release it first");
            zero(); mm.state = MATH; mm.capacity = full / 2;
            stage_tick(MATH_STAGE, t.half_free[t.acquires++ % 2], chip.api_cycles + chip.math_block_cycles); break;
        case TX_REGS_COMMIT:
            if (mm.state != MATH && mm.state != BOTH) fail("tile_regs_commit: the math side does not hold the register (tile_regs_acquire first)");
            math_tick(chip.api_cycles); t.committed_at = t.stage[MATH_STAGE];
            if (mm.state == BOTH) stage_tick(PACK_STAGE, t.committed_at, chip.api_cycles);  // the packer waited for this commit
            mm.state = mm.state == BOTH ? PACKING : COMMITTED; break;
        case TX_REGS_WAIT:  // ttnn's kernels may wait before the commit: the packer then goes on at the commit
            if (mm.state != COMMITTED && mm.state != MATH) fail("tile_regs_wait: nothing was committed (tile_regs_commit first)");
            if (mm.state == COMMITTED) stage_tick(PACK_STAGE, t.committed_at, chip.api_cycles);
            mm.state = mm.state == MATH ? BOTH : PACKING; break;
        case TX_REGS_RELEASE:
            if (mm.state != PACKING) fail("tile_regs_release: the packer does not hold the register (tile_regs_commit and tile_regs_wait first)");
            mm.state = IDLE;
            stage_tick(PACK_STAGE, 0, chip.api_cycles); t.half_free[t.releases++ % 2] = t.stage[PACK_STAGE]; break;
        case TX_DST_ACQUIRE_FULL: case TX_DST_ACQUIRE_HALF:
            if (mm.state != IDLE) fail("acquire_dst: the destination register is already held; release_dst it first");
            zero(); mm.state = FULL; mm.capacity = action == TX_DST_ACQUIRE_FULL ? full : full / 2;
            stage_tick(MATH_STAGE, std::max(t.half_free[0], t.half_free[1]), chip.api_cycles + chip.math_block_cycles); break;
        case TX_DST_RELEASE:
            if (mm.state != FULL) fail("release_dst: the destination register was not acquired with acquire_dst");
            mm.state = IDLE;
            stage_tick(PACK_STAGE, t.stage[MATH_STAGE], chip.api_cycles); t.half_free[0] = t.half_free[1] = t.stage[PACK_STAGE]; break;
    }
}

static void copy_tile(int32_t cb, uint32_t t, uint32_t d) {
    AtCall call(__builtin_return_address(0));
    float rm[1024];
    uint32_t format;
    const uint8_t* p = front(cb, t, "copy_tile", &format);
    Math& mm = m();
    // With UnpackToDestFp32 the unpacker writes the register itself (Int32 and UInt32 tiles as their words, every bit);
    // otherwise the tile passes through srcA.
    bool direct = mm.fp32 && (mm.unpack_to_dest >> cb & 1), is_int = direct && (format == 8 || format == 24);
    // Queued after the matmuls before it, ahead of those after (Pending::load); front() ran the queued packs.
    if (mm.batching && !is_int) {
        Tile page;
        page.page = p, page.cb = cb, page.format = format, page.role = LOADED;
        page.addr = (uint32_t)(p - l1(cur->core)), page.epoch = mm.epoch, page.popped = tile_cb(cb, "copy_tile").popped;
        mm.pending.push_back({page, page, words(d, "copy_tile", false, true, true), false, direct ? LOAD_AS_IS : LOAD_VIA_SRCA});
        mm.pending_tiles |= 1u << d;
        set_ints(mm, d, false, false);
        return unpack_then_math(1, chip.copy_cycles);
    }
    float* o = words(d, "copy_tile", false, false, true);  // every word of it written below
    if (is_int) faces_to_rows((const float*)p, o);
    else {
        decode(p, format, rm);
        if (direct) memcpy(o, rm, sizeof rm);
        else for (int i = 0; i < 1024; i++) o[i] = to_src(mm, rm[i]);
    }
    set_ints(mm, d, is_int, format == 24);
    unpack_then_math(1, chip.copy_cycles);
}

// srcA (5-bit chunks) x srcB (7-bit chunks) at the thread's fidelity. Both are bfloat16 values.
static inline float hi_a(float a) { return value(bits(a) & ~(0x7u << 16)); }
static inline float hi_b(float b) { return value(bits(b) & ~(0x1u << 16)); }
static inline float product(uint32_t fidelity, float a, float b) {
    switch (fidelity) {
        case 1: return hi_a(a) * hi_b(b);
        case 2: return a * hi_b(b);
        case 3: return a * hi_b(b) + hi_a(a) * (b - hi_b(b));
        default: return a * b;
    }
}

// Any other binary op: both tiles as float32 values, then each step in a simple loop the compiler vectorizes.
static void binary_values(uint32_t op, uint32_t bcast, const uint8_t* pa, uint32_t fa, const uint8_t* pb, uint32_t fb, float* o,
                          uint32_t acc) {
    Math& mm = m();
    float a[1024], b[1024];
    decode(pa, fa, a);
    decode(pb, fb, b);
    if (bcast != TX_BCAST_NONE) {
        float t[1024];
        for (int i = 0; i < 1024; i++) t[i] = bcast == TX_BCAST_ROW ? b[i % 32] : bcast == TX_BCAST_COL ? b[i / 32 * 32] : b[0];
        memcpy(b, t, sizeof t);
    }
    if (mm.fp32) for (int i = 0; i < 1024; i++) { a[i] = tf32(a[i]); b[i] = tf32(b[i]); }  // srcA/srcB beside a float32 register
    else for (int i = 0; i < 1024; i++) { a[i] = bf16(a[i]); b[i] = bf16(b[i]); }
    if (op == TX_ADD) for (int i = 0; i < 1024; i++) a[i] += b[i];
    else if (op == TX_SUB) for (int i = 0; i < 1024; i++) a[i] -= b[i];
    else for (int i = 0; i < 1024; i++) a[i] = product(mm.fidelity, a[i], b[i]);
    if (acc) for (int i = 0; i < 1024; i++) a[i] += o[i];
    if (mm.fp32) memcpy(o, a, sizeof a);
    else for (int i = 0; i < 1024; i++) o[i] = bf16(a[i]);
}

// Two bfloat16 tiles added or subtracted into a bfloat16 register (the common case), a face row at a time straight from
// L1: the values are bfloat16 already, so rounding them into srcA and srcB changes only a NaN's bits, and the result's
// rounding makes any NaN the canonical one anyway.
static void add_bfloat16(uint32_t op, const uint8_t* pa, const uint8_t* pb, float* o) {
    const uint16_t *ha = (const uint16_t*)pa, *hb = (const uint16_t*)pb;
    float sign = op == TX_SUB ? -1.0f : 1.0f;  // x - y is x + (-y), exactly
    for (int r = 0; r < 32; r++)
        for (int half = 0; half < 2; half++) {
            int at = face_row(r, half);
            float* out = o + r * 32 + half * 16;
            for (int c = 0; c < 16; c++) out[c] = bf16(value((uint32_t)ha[at + c] << 16) + sign * value((uint32_t)hb[at + c] << 16));
        }
}

static void binary(uint32_t op, uint32_t bcast, int32_t cb0, int32_t cb1, uint32_t t0, uint32_t t1, uint32_t d, uint32_t acc) {
    AtCall call(__builtin_return_address(0));
    static const char* names[] = {"add_tiles", "sub_tiles", "mul_tiles"};
    Math& mm = m();
    uint32_t fa, fb;
    const uint8_t *pa = front(cb0, t0, names[op], &fa), *pb = front(cb1, t1, names[op], &fb);
    float* o = dst(d, names[op], false, false, !acc);
    if (op != TX_MUL && bcast == TX_BCAST_NONE && !acc && !mm.fp32 && fa == 5 && fb == 5) add_bfloat16(op, pa, pb, o);
    else binary_values(op, bcast, pa, fa, pb, fb, o, acc);
    // tt-budabackend's fit scales by the format (df: 2 for 16-bit values, 4 for float32, 1 for block floats);
    // binary_cycles is the 16-bit figure
    uint32_t df = std::max(1u, tile_bytes(fa) / 1024);
    uint64_t cycles = chip.binary_cycles * df / 2;
    unpack_then_math(2, op == TX_MUL ? cycles * mm.fidelity : cycles);
    cur->flops += 1024;
}

// acc += l @ r on 32 x 32 tiles, four rows at a time so that each row of r, once loaded, feeds four rows of sums.
// Every sum runs over k in order, so the result does not depend on how the compiler vectorizes it. The products of
// two bfloat16 values (or their parts) are exact in float32, so a fused multiply-add rounds exactly as mul then add.
#ifdef __FMA__
#define MAC(acc, a, b) acc = std::fma(a, b, acc)
#else
#define MAC(acc, a, b) acc += (a) * (b)
#endif
// The pages the next matmul will unpack, on their way to the processor's cache a part at a time while this one
// multiplies (from DRAM: NoC copies that large go past the cache). All at once, their prefetches waited for the
// cache's line fill buffers and stalled the thread: a twentieth of its time at matmul_multicast 1024^3.
struct Ahead {
    const uint8_t* page[2] = {};
    uint32_t bytes[2] = {};
    void part(int k, int parts) const {
        for (int q = 0; q < 2; q++)
            for (uint32_t at = bytes[q] * k / parts / 64 * 64; at < bytes[q] * (k + 1) / parts; at += 64) __builtin_prefetch(page[q] + at);
    }
};
static const Ahead nothing_ahead;
// The sums go where `out` says: added into acc (a later pass adds more), or, for a single-pass product, straight into
// the destination tile, rounded as the register rounds.
enum { INTO_ACC, INTO_DST_BF16, INTO_DST_FP32 };
// n sums just stored, rounded as `out` says (bf16() is written to vectorize: one loop for every vector width)
template <int out, int n>
static inline void round_stored(float* a) {
    if (out == INTO_DST_BF16)
        for (int t = 0; t < n; t++) a[t] = bf16(a[t]);
}
// bf16() on sums in a register: any vector of floats (eight for AVX2, sixteen for AVX-512), the same bits but for a
// NaN, which stays a NaN with its sign and payload: it holds no bits below a bfloat16's (operands and the register's
// tiles hold bfloat16 values, and a NaN an x86 sum makes carries an operand's payload or is the default NaN), so the
// rounding adds no carry into it. flush() rounds each destination tile with bf16() once more after its queued matmuls,
// which changes no value but makes each NaN the one quiet NaN: the NaN test in every tile matmul's rounding took a
// tenth of it (AVX2, Zen 4). Rounding every matmul's sums after they were stored (round_stored) cost a third of a tile
// matmul on Zen 3: the store, its reload and the store again.
template <class V>
static inline V bf16_lanes(V v) {
    typedef uint32_t U __attribute__((vector_size(sizeof(V))));
    U u = (U)v;
    return (V)((u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u);
}
#if defined(__AVX512F__)
#include <immintrin.h>
// The same with a mask register: the tie's +1 as a masked add, four instructions on the vector ports where the shift
// and mask take five, the same bits for every word (checked on all 2^32). They share those ports with the
// multiply-adds: a tile matmul into bfloat16 2% to 3% faster, timed alone on an Intel Xeon.
static inline __m512 bf16_lanes(__m512 v) {
    __m512i u = _mm512_castps_si512(v), t = _mm512_add_epi32(u, _mm512_set1_epi32(0x7fff));
    t = _mm512_mask_add_epi32(t, _mm512_test_epi32_mask(u, _mm512_set1_epi32(0x10000)), t, _mm512_set1_epi32(1));
    return _mm512_castsi512_ps(_mm512_and_si512(t, _mm512_set1_epi32((int)0xffff0000)));
}
#endif
template <int out, class V> static inline V rounded_as(V sum) { return out == INTO_DST_BF16 ? bf16_lanes(sum) : sum; }
#if defined(__AVX512F__)
// acc = from + s for 16 sums (from: acc itself, or zeros), rounded as `out` says
template <int out>
static inline void add_into(float* acc, const float* from, __m512 s) {
    _mm512_storeu_ps(acc, rounded_as<out>(_mm512_add_ps(_mm512_loadu_ps(from), s)));
}
// The same, written for AVX-512: eight whole rows of sums in sixteen registers, each row of r loaded once for eight.
template <int out>
static void mac(float* acc, const float* from, const float* __restrict l, const float* __restrict r, const Ahead& ahead = nothing_ahead) {
    for (int i = 0; i < 32; i += 8) {
        ahead.part(i / 8, 4);
        __m512 s[8][2];
        for (int q = 0; q < 8; q++) s[q][0] = s[q][1] = _mm512_setzero_ps();
        for (int k = 0; k < 32; k++) {
            __m512 ra = _mm512_loadu_ps(r + k * 32), rb = _mm512_loadu_ps(r + k * 32 + 16);
            for (int q = 0; q < 8; q++) {
                __m512 lv = _mm512_set1_ps(l[(i + q) * 32 + k]);
                s[q][0] = _mm512_fmadd_ps(lv, ra, s[q][0]);
                s[q][1] = _mm512_fmadd_ps(lv, rb, s[q][1]);
            }
        }
        for (int q = 0; q < 8; q++)
            for (int h = 0; h < 2; h++) add_into<out>(acc + (i + q) * 32 + h * 16, from + (i + q) * 32 + h * 16, s[q][h]);
    }
}
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
// The same, written for AVX2: a 4 x 16 block of sums in eight registers, each row of r loaded once for four rows.
template <int out>
static void mac(float* acc, const float* from, const float* __restrict l, const float* __restrict r, const Ahead& ahead = nothing_ahead) {
    for (int i = 0; i < 32; i += 4)
        for (int j = 0; j < 32; j += 16) {
            ahead.part(i / 2 + j / 16, 16);
            __m256 s[4][2];
            for (int q = 0; q < 4; q++) s[q][0] = s[q][1] = _mm256_setzero_ps();
            for (int k = 0; k < 32; k++) {
                __m256 ra = _mm256_loadu_ps(r + k * 32 + j), rb = _mm256_loadu_ps(r + k * 32 + j + 8);
                // kept in registers: gcc would fold the loads into the multiply-adds, loading each row of r four
                // times, and loads, not multiply-adds, would set the pace (a third slower)
                asm("" : "+x"(ra), "+x"(rb));
                for (int q = 0; q < 4; q++) {
                    __m256 lv = _mm256_broadcast_ss(l + (i + q) * 32 + k);
                    s[q][0] = _mm256_fmadd_ps(lv, ra, s[q][0]);
                    s[q][1] = _mm256_fmadd_ps(lv, rb, s[q][1]);
                }
            }
            for (int q = 0; q < 4; q++)
                for (int h = 0; h < 2; h++) {
                    int at = (i + q) * 32 + j + h * 8;
                    _mm256_storeu_ps(acc + at, rounded_as<out>(_mm256_add_ps(_mm256_loadu_ps(from + at), s[q][h])));
                }
        }
}
#else
template <int out>
static void mac(float* acc, const float* from, const float* __restrict l, const float* __restrict r, const Ahead& ahead = nothing_ahead) {
    for (int i = 0; i < 32; i += 4) {
        ahead.part(i / 4, 8);
        float rows[4][32] = {};
        for (int k = 0; k < 32; k++) {
            const float* rk = r + k * 32;
            float l0 = l[i * 32 + k], l1 = l[(i + 1) * 32 + k], l2 = l[(i + 2) * 32 + k], l3 = l[(i + 3) * 32 + k];
            for (int j = 0; j < 32; j++) {
                MAC(rows[0][j], l0, rk[j]);
                MAC(rows[1][j], l1, rk[j]);
                MAC(rows[2][j], l2, rk[j]);
                MAC(rows[3][j], l3, rk[j]);
            }
        }
        for (int q = 0; q < 4; q++) {
            for (int j = 0; j < 32; j++) acc[(i + q) * 32 + j] = from[(i + q) * 32 + j] + rows[q][j];
            round_stored<out, 32>(acc + (i + q) * 32);
        }
    }
}

#endif

#ifdef __AVX512BF16__
// Twice the products per instruction where the processor has AVX512_BF16: VDPBF16PS multiplies two bfloat16 pairs
// and adds both products to a float32 sum, the pair's high half first, each add rounded to nearest even: what two fused
// multiply-adds in k order give (a product of two bfloat16 values is exact in float32), so the same bits as mac().
// Unlike them it reads denormal inputs as zero and flushes denormal sums to zero, and it may make another NaN: it takes
// only operand pairs whose every product and partial sum stays normal and finite (dot_fits); the rest take mac().
// l: in0 row by row, 16 pairs (k, k + 1) a row; r: in1 by pairs of rows, 32 pairs (r[k][j], r[k + 1][j]) each.
template <int out>
static void dot(float* acc, const float* from, const uint32_t* __restrict l, const uint32_t* __restrict r, const Ahead& ahead) {
    for (int i = 0; i < 32; i += 8) {
        ahead.part(i / 8, 4);
        __m512 s[8][2];
        for (int q = 0; q < 8; q++) s[q][0] = s[q][1] = _mm512_setzero_ps();
        for (int k = 0; k < 16; k++) {
            __m512bh ra = (__m512bh)_mm512_loadu_si512(r + k * 32), rb = (__m512bh)_mm512_loadu_si512(r + k * 32 + 16);
            for (int q = 0; q < 8; q++) {
                __m512bh lv = (__m512bh)_mm512_set1_epi32((int)l[(i + q) * 16 + k]);
                s[q][0] = _mm512_dpbf16_ps(s[q][0], lv, ra);
                s[q][1] = _mm512_dpbf16_ps(s[q][1], lv, rb);
            }
        }
        for (int q = 0; q < 8; q++)
            for (int h = 0; h < 2; h++) add_into<out>(acc + (i + q) * 32 + h * 16, from + (i + q) * 32 + h * 16, s[q][h]);
    }
}

// Products of values with exponent fields ea and eb are multiples of 2^(ea + eb - 268) (8-bit significands), so every
// sum of them, rounded or not, is 0 or at least that: normal when ea + eb >= 142 for the smallest nonzero values. 32
// products below 2^(ea + eb - 252) each sum below 2^(ea + eb - 247): finite when ea + eb <= 374 for the largest.
static inline bool dot_fits(const Operand& a, const Operand& b) {
    return a.paired && b.paired && a.lo + b.lo >= 142 && a.hi + b.hi <= 374;
}

// A bfloat16 operand tile from L1 (in0, or in1 untransposed) straight into pairs as dot() reads them, cut to the
// fidelity's bits, with the range of its exponents; false if it holds a denormal, an infinity or a NaN.
static bool unpack_pairs(Operand& o, uint32_t fidelity) {
    const uint16_t* t = (const uint16_t*)o.tile.page;
    uint16_t keep = o.tile.role == LEFT ? (fidelity < 4 ? 0xfffe : 0xffff) : (fidelity == 1 ? 0xfff8 : 0xffff);  // hi_b, hi_a
    const __m512i cut = _mm512_set1_epi16((short)keep), magnitude = _mm512_set1_epi16(0x7fff), top = _mm512_set1_epi16(255),
                  zero = _mm512_setzero_si512();
    __m512i lo = top, hi = zero;
    __mmask32 odd = 0;
    for (int k = 0; k < 1024; k += 32) {
        __m512i u = _mm512_and_si512(_mm512_and_si512(_mm512_loadu_si512(t + k), cut), magnitude), e = _mm512_srli_epi16(u, 7);
        __mmask32 nonzero = _mm512_test_epi16_mask(u, u);
        odd |= _mm512_cmpeq_epi16_mask(e, top) | _mm512_mask_cmpeq_epi16_mask(nonzero, e, zero);
        lo = _mm512_mask_min_epu16(lo, nonzero, lo, e);
        hi = _mm512_max_epu16(hi, e);
    }
    if (odd) return false;
    auto wide = [](__m512i x, int half) { return _mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(x, half)); };
    o.lo = (int32_t)_mm512_reduce_min_epu32(_mm512_min_epu32(wide(lo, 0), wide(lo, 1)));
    o.hi = (int32_t)_mm512_reduce_max_epu32(_mm512_max_epu32(wide(hi, 0), wide(hi, 1)));
    uint32_t* p = o.pairs;
    auto half_row = [&](int r, int half) { return _mm256_loadu_si256((const __m256i*)(t + face_row(r, half))); };
    if (o.tile.role == LEFT) {  // row r: its values (k, k + 1) as one pair, k's the high half
        for (int r = 0; r < 32; r++) {
            __m512i row = _mm512_inserti64x4(_mm512_castsi256_si512(half_row(r, 0)), half_row(r, 1), 1);
            _mm512_storeu_si512(p + r * 16, _mm512_rol_epi32(_mm512_and_si512(row, cut), 16));
        }
    } else {  // pair row k: rows 2k (the high halves) and 2k + 1 side by side
        for (int k = 0; k < 16; k++)
            for (int h = 0; h < 2; h++) {
                __m512i pair = _mm512_or_si512(_mm512_slli_epi32(_mm512_cvtepu16_epi32(half_row(2 * k, h)), 16),
                                               _mm512_cvtepu16_epi32(half_row(2 * k + 1, h)));
                _mm512_storeu_si512(p + k * 32 + h * 16, _mm512_and_si512(pair, cut));
            }
    }
    return true;
}

// A paired operand as mac() reads it, for a partner dot() cannot take.
static const float* unpair(const Operand& o, float* x) {
    const uint32_t* p = o.pairs;
    if (o.tile.role == LEFT) for (int n = 0; n < 512; n++) { x[2 * n] = value(p[n] & 0xffff0000); x[2 * n + 1] = value(p[n] << 16); }
    else for (int k = 0; k < 16; k++)
        for (int j = 0; j < 32; j++) { x[2 * k * 32 + j] = value(p[k * 32 + j] & 0xffff0000); x[(2 * k + 1) * 32 + j] = value(p[k * 32 + j] << 16); }
    return x;
}

// Whether this processor's VDPBF16PS sums as dot() needs (checked once, on sums of random pairs against fused
// multiply-adds in k order).
static bool dot_sums_right() {
    uint32_t seed = 1, l[16][16], r[16][16];
    auto next = [&] { seed = seed * 1664525u + 1013904223u; return seed >> 8; };
    auto half = [&] { uint32_t x = next(); return (x & 0x807f) | (107 + x % 41) << 7; };  // exponents 107 to 147
    for (int round = 0; round < 16; round++) {
        for (int q = 0; q < 16; q++) for (int k = 0; k < 16; k++) { l[q][k] = half() << 16 | half(); r[q][k] = half() << 16 | half(); }
        __m512 s = _mm512_setzero_ps();
        for (int k = 0; k < 16; k++) {
            uint32_t a[16], b[16];
            for (int q = 0; q < 16; q++) { a[q] = l[q][k]; b[q] = r[q][k]; }
            s = _mm512_dpbf16_ps(s, (__m512bh)_mm512_loadu_si512(a), (__m512bh)_mm512_loadu_si512(b));
        }
        float got[16];
        _mm512_storeu_ps(got, s);
        for (int q = 0; q < 16; q++) {
            float want = 0;
            for (int k = 0; k < 16; k++)
                for (int h : {16, 0}) want = std::fma(value(l[q][k] >> h << 16), value(r[q][k] >> h << 16), want);
            if (bits(want) != bits(got[q])) return false;
        }
    }
    return true;
}

// Whether dot() beats mac() on this processor, timed once on one pair of tiles: VDPBF16PS does twice the products of
// a multiply-add, but where it issues on one port and multiply-adds on two (Intel's Sapphire Rapids and later) it
// gains nothing. There matmul_multicast 1024^3 took 37 ms a call on one engine thread through dot(), 31 through mac();
// on Zen 4 dot() is the faster. Both give the same bits, so the choice changes only the time.
static bool dot_faster() {
    alignas(64) static uint32_t lp[512], rp[512];
    alignas(64) static float lf[1024], rf[1024], acc[1024];
    for (int n = 0; n < 512; n++) lp[n] = rp[n] = 0x3f803f80u + (n % 97);  // values near 1
    for (int n = 0; n < 1024; n++) lf[n] = rf[n] = 1.0f + n % 97 / 128.0f;
    auto time = [](auto matmuls) {
        auto t = std::chrono::steady_clock::now();
        for (int k = 0; k < 32; k++) matmuls();
        return std::chrono::steady_clock::now() - t;
    };
    auto best_dot = std::chrono::steady_clock::duration::max(), best_mac = best_dot;  // the quickest of alternated rounds: a neighbour only slows a round
    for (int round = 0; round < 9; round++) {
        best_dot = std::min(best_dot, time([] { dot<INTO_DST_FP32>(acc, acc, lp, rp, nothing_ahead); }));
        best_mac = std::min(best_mac, time([] { mac<INTO_DST_FP32>(acc, acc, lf, rf); }));
    }
    return best_dot < best_mac;
}

// TENSIX_PORTABLE_MATH=1 keeps every matmul on mac(), =0 takes dot() wherever it sums right, unset the faster.
// Decided at the first bfloat16 operand, not at start-up: an engine that never multiplies does not time dot().
static bool use_dot() {
    static const bool ok = [] {
        const char* portable = getenv("TENSIX_PORTABLE_MATH");
        if (portable && *portable) return !atoi(portable) && dot_sums_right();
        return dot_sums_right() && dot_faster();
    }();
    return ok;
}
#endif

alignas(64) static const float zero_tile[1024] = {};
// o = from + a x b (from: o itself, or zero_tile for a tile that holds zeros it has not written), rounded as the
// register rounds.
static void do_matmul(const Operand& a, const Operand& b, float* o, const float* from, uint32_t fidelity, bool fp32, const Ahead& ahead) {
    if (fidelity != 3) {  // one pass: its sums go straight into the register (Grayskull's rounds each partial sum)
        const float *l = a.v, *r = b.v;
#ifdef __AVX512BF16__
        if (dot_fits(a, b)) return fp32 ? dot<INTO_DST_FP32>(o, from, a.pairs, b.pairs, ahead) : dot<INTO_DST_BF16>(o, from, a.pairs, b.pairs, ahead);
        alignas(64) float lv[1024], rv[1024];
        if (a.paired) l = unpair(a, lv);
        if (b.paired) r = unpair(b, rv);
#endif
        if (fp32) mac<INTO_DST_FP32>(o, from, l, r, ahead);
        else mac<INTO_DST_BF16>(o, from, l, r, ahead);
        return;
    }
    float acc[1024] = {};
    ahead.part(0, 1);
    mac<INTO_ACC>(acc, acc, a.v, b.v);
    mac<INTO_ACC>(acc, acc, a.v2, b.v2);
    if (fp32) for (int i = 0; i < 1024; i++) o[i] = from[i] + acc[i];
    else for (int i = 0; i < 1024; i++) o[i] = bf16(from[i] + acc[i]);
}

// The operand of a matmul as the passes at this fidelity see it: in0 by its 7 high bits (all 8 at HiFi4) plus, for
// HiFi3's second pass, its low bit; in1 by its 5 high bits at LoFi, whole otherwise, plus its 5 high bits for HiFi3.
// It reads only the entry and its tile in L1, so any thread may run it.
static void unpack_operand(Operand& o, uint32_t fidelity) {
    const Tile& t = o.tile;
#ifdef __AVX512BF16__
    o.paired = fidelity != 3 && t.format == 5 && t.role != RIGHT_T && use_dot() && unpack_pairs(o, fidelity);
    if (o.paired) return;
#endif
    float* x = o.v;  // decoded straight into the entry, then changed in place
    if (t.role == RIGHT_T) {
        float rows[1024];
        decode(t.page, t.format, rows);
        for (int k = 0; k < 1024; k++) x[k] = rows[(k % 32) * 32 + k / 32];
    } else {
        decode(t.page, t.format, x);
    }
    if (t.format != 5 && t.format != 6 && t.format != 7)  // bfloat16 and block floats are bfloat16 values already
        for (int k = 0; k < 1024; k++) x[k] = bf16(x[k]);  // separate simple loops: the compiler vectorizes each
    if (t.role == LEFT) {
        if (fidelity == 3) for (int k = 0; k < 1024; k++) o.v2[k] = x[k] - hi_b(x[k]);
        if (fidelity < 4) for (int k = 0; k < 1024; k++) x[k] = hi_b(x[k]);
    } else {
        if (fidelity == 3) for (int k = 0; k < 1024; k++) o.v2[k] = hi_a(x[k]);
        if (fidelity == 1) for (int k = 0; k < 1024; k++) x[k] = hi_a(x[k]);
    }
}

// ---------------------------------------------------------------- queued matmuls: flushes and batches
// The queued matmuls into destination tiles [from, to) of `order`, each tile's in order, on this thread, the operands
// from its own cache, the next matmul's pages on their way to the processor's cache while this one multiplies; then
// each tile rounded as the register rounds (bf16() again: the values stay, each NaN becomes its one quiet NaN).
static void multiply(const std::vector<Pending>& pending, const Order& order, size_t from, size_t to, uint32_t fidelity, bool fp32) {
    Operands& ops = my_operands();
    auto ahead_of = [&](const Pending& p) {
        Ahead a;
        int q = 0;
        for (const Tile* t : {&p.a, &p.b})
            if (!ops.has(*t)) a.page[q] = t->page, a.bytes[q++] = tile_bytes(t->format);
        return a;
    };
    auto run = [&](const Pending& p, const Ahead& ahead) {
        if (p.load) {  // copy_tile's decode, as copy_tile does it
            decode(p.a.page, p.a.format, p.dst);
            if (p.load == LOAD_VIA_SRCA)
                for (int i = 0; i < 1024; i++) p.dst[i] = fp32 ? tf32(p.dst[i]) : bf16(p.dst[i]);
            return;
        }
        const Operand& a = ops.get(p.a, fidelity);
        do_matmul(a, ops.get(p.b, fidelity, &a), p.dst, p.zero ? zero_tile : p.dst, fidelity, fp32, ahead);
    };
    const uint32_t* first = order.matmuls.data();
    const uint32_t *m = first + order.starts[from], *end = first + order.starts[to];
    for (size_t t = from; t < to; t++) {
        const uint32_t* tile_end = first + order.starts[t + 1];
        for (; m < tile_end; m++) run(pending[*m], m + 1 < end ? ahead_of(pending[m[1]]) : nothing_ahead);
        if (!fp32 && !pending[m[-1]].load) round_stored<INTO_DST_BF16, 1024>(pending[m[-1]].dst);  // a copy_tile's stay as loaded
    }
}

// The destination tiles of queued matmuls by column (those whose first matmul takes the same in1 tile together): a
// thread that takes a run of them unpacks the in1 tiles of its own columns only. Helpers take chunks from the back
// (split_work), and each thread finds its in1 tiles again in the next sub-block, which shares its in1 block.
static void by_column(const std::vector<Pending>& pending, Order& out) {
    float* targets[16];  // in the order first queued into
    const Tile* column[16];
    uint32_t count[16] = {}, at[16];
    static thread_local std::vector<uint8_t> tile_of;
    tile_of.resize(pending.size());
    size_t n = 0;
    for (size_t i = 0; i < pending.size(); i++) {
        const Pending& p = pending[i];
        size_t t = std::find(targets, targets + n, p.dst) - targets;
        if (t == n) targets[n] = p.dst, column[n++] = nullptr;
        if (!column[t] && !p.load) column[t] = &p.b;
        tile_of[i] = t, count[t]++;
    }
    auto same = [](const Tile* c, const Tile* d) { return c && d ? *c == *d : c == d; };  // tiles only loaded: a column apart
    out.starts.assign(1, 0);  // the tiles by column: where each one's matmuls start (at), the next tile's after them
    for (size_t t = 0; t < n; t++)
        if (std::find_if(column, column + t, [&](const Tile* c) { return same(c, column[t]); }) == column + t)
            for (size_t u = t; u < n; u++)
                if (same(column[u], column[t])) at[u] = out.starts.back(), out.starts.push_back(at[u] + count[u]);
    out.matmuls.resize(pending.size());
    for (size_t i = 0; i < pending.size(); i++) out.matmuls[at[tile_of[i]]++] = i;
}

// The queued matmuls into one destination tile run in order, on one thread; those into different tiles do not depend
// on each other, so when there are many, runs of destination tiles are chunks for whichever thread (this one or a
// helper) is free. The bytes are the same as done one by one, whatever the number of threads. Then the queued packs.
static void flush_chunk(void* ctx, int chunk) {
    Math& mm = *(Math*)ctx;
    size_t n = mm.order.tiles();
    multiply(mm.pending, mm.order, chunk * n / mm.chunks, (chunk + 1) * n / mm.chunks, mm.mm_fidelity, mm.fp32);
}
static void flush(Math& mm) {
    if (!mm.pending.empty()) {
        by_column(mm.pending, mm.order);
        mm.chunks = std::max<size_t>(1, std::min(mm.order.tiles(), mm.pending.size() / MIN_CHUNK));
        split_work((int)mm.chunks, flush_chunk, &mm, mm.pending.size());
        mm.pending.clear();
        mm.pending_tiles = 0;
    }
    for (const Pack& k : mm.packs) encode(mm.dst[k.tile], k.format, k.page);
    mm.packs.clear();
}
void flush_math(Math* mm) { flush(*mm); }

// A batch: a sub-block's queued matmuls and the packs of their tiles, handed to a helper as a whole when the kernel
// releases the register or pushes the packed pages. While a helper multiplies it, the engine's thread runs the other
// cores; it waits for the batch only where its result could be seen (settle): another thread of the core running, a
// NoC transfer touching the core's L1, the compute thread reading its circular buffers again, the run's end. The
// batch sums into tiles of its own, so the register is free for the next sub-block at once.
struct Batch : Deferred {
    std::vector<Pending> pending;  // dst: into acc
    Order order;
    std::vector<Pack> packs;       // tile: of acc
    const uint8_t *lo = nullptr, *hi = nullptr;  // the bytes they pack into lie within [lo, hi)
    uint32_t reads = 0, read_lo[32], read_hi[32];  // the circular buffers they read, a bit each, and where: [lo, hi) of L1
    bool reads_any(uint32_t from, uint32_t until) const {  // of any circular buffer (they may share memory)
        for (uint32_t m = reads; m; m &= m - 1)
            if (read_lo[__builtin_ctz(m)] < until && from < read_hi[__builtin_ctz(m)]) return true;
        return false;
    }
    uint32_t fidelity = 4;
    bool fp32 = false;
    float (*acc)[1024] = (new Register)->tiles;
};
static std::vector<Batch*> spare_batches;
// Batches posted and not yet settled, oldest first, with their compute threads. Past MAX_POSTED the oldest thread's
// are settled: matmul_multicast 4096^3 posts 32 a core a k block, 2048 over 8x8 cores, 64 KB each.
static std::deque<std::pair<Math*, Batch*>> unsettled;
const size_t MAX_POSTED = 256;
// Smaller batches are flushed at once, shared out in chunks (split_work): posting one costs a microsecond or two (the
// batch queued, a helper woken). matmul_multicast posts 16 matmuls a sub-block at 4096^3: 1.42 s a call against
// 2.12 flushed; 64 at 2048^3: 128 ms against 172; 256 at 1024^3: 20 ms either way (no numpy beside it, medians). That
// holds since a copy of partial sums back waits only for the batch that packed them (settle_page): when it waited for
// every batch, the sub-block posted just before among them, posting lost (4096^3 2.18 to 2.23 s against 1.91 to 2.03).
const size_t MIN_DEFERRED = 16;
static void run_batch(Deferred* d) {
    Batch& b = *static_cast<Batch*>(d);
    multiply(b.pending, b.order, 0, b.order.tiles(), b.fidelity, b.fp32);
    for (const Pack& k : b.packs) encode(b.acc[k.tile], k.format, k.page);
}
// The queued matmuls and packs, to a helper if one is free to take them, else done now.
static void post(Math& mm) {
    size_t matmuls = mm.pending.size() - std::count_if(mm.pending.begin(), mm.pending.end(), [](const Pending& p) { return p.load; });
    if (mm.packs.empty() || matmuls < MIN_DEFERRED) return flush(mm);
    // Whether or not a helper takes it: the schedule may not depend on the helpers, nor may what is queued from now on
    // (a copy_tile flushes the matmuls before it unless it is queued too).
    cur->handed_over = mm.batching = true;
    if (!deferring() || mm.raw_pointers) return flush(mm);  // a kernel with a pointer may touch the pages any time
    if (mm.held_tiles) settle(&mm);  // an earlier batch's tiles back in the register first: one batch holds tiles
    while (unsettled.size() >= MAX_POSTED) settle(unsettled.front().first);
    Batch* b;
    if (spare_batches.empty()) b = new Batch;
    else b = spare_batches.back(), spare_batches.pop_back();
    b->run = run_batch;
    b->fidelity = mm.mm_fidelity;
    b->fp32 = mm.fp32;
    // The register's words go with the batch, whose spare ones become the register: of them, the tiles the kernel
    // wrote besides the batch's are copied back; the others, zeros, are zeroed when next used (unzeroed).
    std::swap(b->acc, mm.dst);
    for (uint32_t m = mm.dirty & ~mm.unzeroed & ~mm.pending_tiles & 0xffff; m; m &= m - 1)
        memcpy(mm.dst[__builtin_ctz(m)], b->acc[__builtin_ctz(m)], sizeof mm.dst[0]);
    mm.unzeroed |= ~mm.dirty & 0xffff;
    std::swap(b->pending, mm.pending);
    by_column(b->pending, b->order);
    std::swap(b->packs, mm.packs);
    mm.held_tiles = mm.pending_tiles;
    mm.pending.clear();
    mm.packs.clear();
    mm.pending_tiles = 0;
    b->reads = 0;
    for (const Pending& p : b->pending)
        for (const Tile* t : {&p.a, &p.b}) {
            uint32_t from = t->addr, until = from + tile_bytes(t->format), first = !(b->reads >> t->cb & 1);
            b->read_lo[t->cb] = first ? from : std::min(b->read_lo[t->cb], from);
            b->read_hi[t->cb] = first ? until : std::max(b->read_hi[t->cb], until);
            b->reads |= 1u << t->cb;
        }
    b->lo = b->packs[0].page, b->hi = b->lo;
    for (const Pack& k : b->packs)
        b->lo = std::min<const uint8_t*>(b->lo, k.page), b->hi = std::max<const uint8_t*>(b->hi, k.page + tile_bytes(k.format));
    mm.packed_lo = mm.posted.empty() ? b->lo : std::min(mm.packed_lo, b->lo);
    mm.packed_hi = mm.posted.empty() ? b->hi : std::max(mm.packed_hi, b->hi);
    mm.posted.push_back(b);
    unsettled.push_back({&mm, b});
    defer(b, b->pending.size());
}
// The first n batches the compute thread posted, done. Once all are, the register's tiles the last one holds are back
// in the register, and what the batches touched is forgotten.
static void settle_first(Math& mm, size_t n) {
    if (!n) return;  // most reads: the page's packer is settled already
    for (size_t j = 0; j < n; j++) finish(mm.posted[j]), spare_batches.push_back(mm.posted[j]);
    size_t left = n;
    unsettled.erase(std::remove_if(unsettled.begin(), unsettled.end(), [&](auto& u) { return u.first == &mm && left && left--; }), unsettled.end());
    if (n == mm.posted.size())
        for (uint32_t m = mm.held_tiles; m; m &= m - 1)
            memcpy(mm.dst[__builtin_ctz(m)], mm.posted.back()->acc[__builtin_ctz(m)], sizeof mm.dst[0]);
    mm.posted.erase(mm.posted.begin(), mm.posted.begin() + n);
    if (!mm.posted.empty()) return;
    mm.held_tiles = 0;
}
void settle(Math* mm) { if (!mm->posted.empty()) settle_first(*mm, mm->posted.size()); }
// How many of the posted batches, oldest first, it takes to include the newest that packs into bytes [page, +bytes)
// (and, `reading`, the newest that reads them), whichever circular buffer names the bytes: buffers may share memory.
static size_t touching(Math& mm, const uint8_t* page, uint32_t bytes, bool reading) {
    uint32_t at = (uint32_t)(page - l1(cur->core));
    for (size_t j = mm.posted.size(); j-- > 0;) {
        const Batch& b = *mm.posted[j];
        if (reading && b.reads_any(at, at + bytes)) return j + 1;
        if (page < b.hi && b.lo < page + bytes)
            for (const Pack& k : b.packs)
                if (page < k.page + tile_bytes(k.format) && k.page < page + bytes) return j + 1;
    }
    return 0;
}
// Before the compute thread reads a page (`packing`: packs into one): the posted batches up to the newest that packs
// into it (or reads it), done, as a helper may run a later batch first. The partial sums a matmul brings back from L1
// were packed a k block ago, so the sub-blocks posted since run on.
static void settle_page(Math& mm, const uint8_t* page, uint32_t bytes, bool packing) {
    if (mm.posted.empty() || (!packing && (page + bytes <= mm.packed_lo || mm.packed_hi <= page))) return;  // most reads
    settle_first(mm, touching(mm, page, bytes, packing));
}
void post_math(Math* mm) { if (!mm->packs.empty()) post(*mm); }
// A kernel with a pointer into its circular buffers may read or write their pages itself, unseen, whenever it holds
// them: from taking one on, at each cb_reserve_back and cb_wait_front, what it queued and the batches it posted are done
// first (queued work reads popped pages late; batches pack into pages it may read).
void retire_operands(Math* mm) { mm->epoch = ++epochs; }
void raw_pointer_math(Math* mm, bool taken) {
    mm->raw_pointers |= taken;
    if (mm->raw_pointers) flush(*mm), settle(mm), retire_operands(mm);
}

// A matmul operand as queued: its page at the front of its circular buffer, named.
static Tile operand(int32_t i, uint32_t tile, uint32_t role) {
    CB& cb = tile_cb(i, "matmul_tiles");
    if (tile >= cb.waited)
        fail("matmul_tiles: tile %u of circular buffer %d is not at its front: this thread has waited for %u pages (cb_wait_front for it first)", tile, i, cb.waited);
    Tile t;
    t.addr = slot_addr(cb, cb.rd, tile);
    t.page = l1(cur->core) + t.addr;
    t.epoch = m().epoch; t.cb = i; t.popped = cb.popped; t.role = role; t.format = cb.format;
    settle_page(m(), t.page, cb.page_size);
    return t;
}

// dst += in0 x in1 (in1 transposed if asked). in0 goes to srcB, in1 to srcA, as on the chip. The work is queued and done
// in flush(), when anything next reads the register, or in a batch (post).
static void matmul(int32_t cb0, int32_t cb1, uint32_t t0, uint32_t t1, uint32_t d, uint32_t transpose) {
    AtCall call(__builtin_return_address(0));
    Math& mm = m();
    if (!mm.packs.empty()) flush(mm);  // packs come after the matmuls they pack
    Tile a = operand(cb0, t0, LEFT), b = operand(cb1, t1, transpose ? RIGHT_T : RIGHT);
    bool zero = mm.unzeroed >> d & 1;  // the first matmul into it writes every word
    float* o = dst(d, "matmul_tiles", false, true, zero);
    mm.pending.push_back({a, b, o, zero});
    mm.pending_tiles |= 1u << d;
    unpack_then_math(2, chip.matmul_pass_cycles * mm.mm_fidelity);
    cur->flops += 2 * 32 * 32 * 32;
}

static float gelu(float x) { return 0.5f * x * (1.0f + std::erf(x / std::sqrt(2.0f))); }

// The inverse error function: a first guess (Giles, "Approximating the erfinv function", 2010), then Newton steps on
// erf in double precision, so the result is erfinv's to float precision.
static float erfinv(float x) {
    if (x <= -1.0f || x >= 1.0f) return x == 1.0f ? INFINITY : x == -1.0f ? -INFINITY : NAN;
    double w = -std::log((1.0 - x) * (1.0 + x)), y;
    if (w < 5.0) {
        w -= 2.5;
        y = 2.81022636e-08; y = 3.43273939e-07 + y * w; y = -3.5233877e-06 + y * w; y = -4.39150654e-06 + y * w;
        y = 0.00021858087 + y * w; y = -0.00125372503 + y * w; y = -0.00417768164 + y * w; y = 0.246640727 + y * w;
        y = 1.50140941 + y * w;
    } else {
        w = std::sqrt(w) - 3.0;
        y = -0.000200214257; y = 0.000100950558 + y * w; y = 0.00134934322 + y * w; y = -0.00367342844 + y * w;
        y = 0.00573950773 + y * w; y = -0.0076224613 + y * w; y = 0.00943887047 + y * w; y = 1.00167406 + y * w;
        y = 2.83297682 + y * w;
    }
    y *= x;
    for (int k = 0; k < 3; k++) y -= (std::erf(y) - x) / (1.1283791670955126 * std::exp(-y * y));  // erf' = 2/sqrt(pi) e^-y^2
    return (float)y;
}

static void unary3(uint32_t op, uint32_t d, uint32_t param, uint32_t param1, uint32_t param2) {
    AtCall call(__builtin_return_address(0));
    Math& mm = m();
    bool packer = op & TX_ON_PACKER;  // the pack thread's SFPU: on the tiles the packer holds, in its time
    op &= ~TX_ON_PACKER;
    auto math_tick = [&](uint64_t c) { stage_tick(packer ? PACK_STAGE : MATH_STAGE, 0, c); };
    if (op == TX_FILL_INT) {
        float* o = words(d, "fill_tile_int", packer);
        for (int i = 0; i < 1024; i++) o[i] = value(param);
        set_ints(mm, d, true, false);
        return math_tick(chip.sfpu_cycles);
    }
    if (op == TX_NEG_INT) {  // on the words: negative_tile's float negation would round integers beyond 2^24
        float* o = words(d, "negative_tile_int32", packer);
        for (int i = 0; i < 1024; i++) o[i] = value(0u - (mm.ints >> d & 1 ? word_of(o[i]) : to_word(o[i])));
        set_ints(mm, d, true, mm.uints >> d & 1);
        return math_tick(chip.sfpu_cycles);
    }
    if (op >= TX_EQZ_INT && op <= TX_GEZ_INT) {  // comparisons with zero of int32 words (a tile of values: its integers)
        bool is_int = mm.ints >> d & 1;
        float* o = words(d, "SFPU op", packer);
        for (int i = 0; i < 1024; i++) {
            int32_t x = (int32_t)(is_int ? word_of(o[i]) : to_word(o[i]));
            bool r = op == TX_EQZ_INT ? x == 0 : op == TX_NEZ_INT ? x != 0 : op == TX_LTZ_INT ? x < 0
                   : op == TX_GTZ_INT ? x > 0 : op == TX_LEZ_INT ? x <= 0 : x >= 0;
            o[i] = value(r);
        }
        set_ints(mm, d, true, false);
        return math_tick(chip.sfpu_cycles);
    }
    float* o = dst(d, packer ? "SFPU op on the packer (name_tile_pack)" : "SFPU op", packer);
    const float* mask = op == TX_MASK ? dst(param, "mask_tile", packer) : nullptr;
    float p = value(param), p1 = value(param1), p2 = value(param2);  // float parameters arrive as their bits
    uint64_t cycles = chip.sfpu_cycles;
    for (int i = 0; i < 1024; i++) {
        float x = o[i], y = x;
        switch (op) {
            case TX_EXP: case TX_EXP_APPROX: y = std::exp(x); break;
            case TX_LOG: y = std::log(x); break;
            case TX_SQRT: y = std::sqrt(x); break;
            case TX_RSQRT: y = 1.0f / std::sqrt(x); break;
            case TX_RECIP: y = 1.0f / x; break;
            case TX_RELU: y = x > 0 ? x : 0.0f; break;
            case TX_RELU_MAX: y = std::min(std::max(x, 0.0f), p); break;
            case TX_RELU_MIN: y = x < p ? 0.0f : x; break;
            case TX_GELU: y = gelu(x); break;
            case TX_SIGMOID: y = 1.0f / (1.0f + std::exp(-x)); break;
            case TX_TANH: y = std::tanh(x); break;
            case TX_ABS: y = std::fabs(x); break;
            case TX_NEG: y = -x; break;
            case TX_SQUARE: y = x * x; break;
            case TX_POWER: y = std::pow(x, param < 0x10000 ? (float)param : p); break;  // an integer, or float bits
            case TX_POWER_ITERATIVE: {  // ckernel_sfpu_unary_power.h: x times itself by squaring, each product in float32
                if (param == 0) { y = 1.0f; break; }
                float in = x;
                y = x;
                for (uint32_t e = param - 1; e; e >>= 1) {
                    if (e & 1) y *= in;
                    in *= in;
                }
                break;
            }
            case TX_SIN: y = std::sin(x); break;
            case TX_COS: y = std::cos(x); break;
            case TX_TAN: y = std::tan(x); break;
            case TX_SIGN: y = x > 0 ? 1.0f : x < 0 ? -1.0f : 0.0f; break;
            case TX_EQZ: y = x == 0; break;
            case TX_NEZ: y = x != 0; break;
            case TX_LTZ: y = x < 0; break;
            case TX_GTZ: y = x > 0; break;
            case TX_LEZ: y = x <= 0; break;
            case TX_GEZ: y = x >= 0; break;
            case TX_LOGICAL_NOT: y = x == 0; break;
            case TX_TRUNC: y = std::trunc(x); break;
            case TX_EXP2: y = std::exp2(x); break;
            case TX_EXPM1: y = std::expm1(x); break;
            case TX_LOG_BASE: y = std::log(x) * half_to_float((uint16_t)param); break;  // 1 / ln(base), float16 bits
            case TX_LEAKY_RELU: y = x < 0 ? x * p : x; break;
            case TX_ELU: y = x < 0 ? p * std::expm1(x) : x; break;
            case TX_HEAVISIDE: y = x < 0 ? 0.0f : x > 0 ? 1.0f : p; break;
            case TX_ERF: y = std::erf(x); break;
            case TX_SILU: y = x / (1.0f + std::exp(-x)); break;
            case TX_FILL: y = p; break;
            case TX_ADD_SCALAR: y = x + p; break;
            case TX_SUB_SCALAR: y = x - p; break;
            case TX_RSUB_SCALAR: y = p - x; break;
            case TX_MUL_SCALAR: y = x * p; break;
            case TX_DIV_SCALAR: y = x * p; break;  // tt-metal's host passes 1 / divisor, and the SFPU multiplies
            case TX_ERFC: y = std::erfc(x); break;
            case TX_ERFINV: y = erfinv(x); break;
            case TX_I0: y = std::isnan(x) ? x : (float)std::cyl_bessel_i(0.0, std::fabs((double)x)); break;  // even in x
            case TX_SIGNBIT: y = std::signbit(x) ? 1.0f : 0.0f; break;
            case TX_ISINF: y = std::isinf(x); break;
            case TX_ISPOSINF: y = std::isinf(x) && x > 0; break;
            case TX_ISNEGINF: y = std::isinf(x) && x < 0; break;
            case TX_ISNAN: y = std::isnan(x); break;
            case TX_ISFINITE: y = std::isfinite(x); break;
            case TX_ASIN: y = std::asin(x); break;
            case TX_ACOS: y = std::acos(x); break;
            case TX_ATAN: y = std::atan(x); break;
            case TX_IDENTITY: break;
            case TX_RPOW: y = std::pow(p, x); break;
            case TX_RDIV: y = p / x; break;
            case TX_RDIV_TRUNC: y = std::trunc(p / x); break;
            case TX_RDIV_FLOOR: y = std::floor(p / x); break;
            case TX_MASK: y = mask[i] == 0.0f ? 0.0f : x; break;  // the chip zeroes where the mask tile holds zero
            case TX_HARDSIGMOID: y = std::min(std::max(x / 6.0f + 0.5f, 0.0f), 1.0f); break;
            case TX_HARDTANH: y = x < p ? p : x > p1 ? p1 : x; break;  // min, max
            case TX_SELU: y = p * (x > 0 ? x : p1 * std::expm1(x)); break;  // scale, alpha
            case TX_SOFTPLUS: y = x * p > p2 ? x : p1 * std::log1p(std::exp(x * p)); break;  // beta, 1 / beta, threshold
            case TX_MISH: y = x * std::tanh(std::log1p(std::exp(x))); break;
            case TX_GELU_TANH: y = 0.5f * x * (1.0f + std::tanh(0.7978845608f * (x + 0.044715f * x * x * x))); break;
            default: fail("SFPU op %u is not one the engine knows", op);
        }
        o[i] = to_dst(mm, y);
    }
    if (op == TX_EXP) cycles = mm.approx ? chip.exp_approx_cycles : chip.exp_cycles;
    if (op == TX_EXP_APPROX) cycles = chip.exp_approx_cycles;
    if (op == TX_RECIP) cycles = chip.recip_cycles;
    if (op == TX_SQRT || op == TX_RSQRT) cycles = chip.sqrt_cycles;
    math_tick(cycles);
}
static void unary(uint32_t op, uint32_t d, uint32_t param) {
    AtCall call(__builtin_return_address(0));
    unary3(op, d, param, 0, 0);
}

// The SFPU's integer ops on two 32-bit words, as tt-metal's kernels define them (ckernel_sfpu_shift.h,
// ckernel_sfpu_binary_remainder.h, ckernel_sfpu_binary_fmod.h, div_int32_floor.h, gcd.h, lcm.h, binary_comp.h):
// signed for Int32, unsigned for UInt32, the low 16 bits for UInt16. Results wrap to the word.
static uint32_t int_op(uint32_t op, uint32_t flags, uint32_t x, uint32_t y) {
    bool u = flags & TX_DST_UNSIGNED, lo16 = flags & TX_DST_LO16;
    if (lo16) { x &= 0xffff; y &= 0xffff; }
    int32_t sx = (int32_t)x, sy = (int32_t)y;  // a shift amount is compared as a signed word, whatever the format
    int64_t a = u ? (int64_t)x : sx, b = u ? (int64_t)y : sy;  // the integers the words stand for
    bool out_of_range = sy < 0 || sy >= 32;
    uint64_t r;
    switch (op) {
        case TX_DST_IADD: r = x + y; break;
        case TX_DST_ISUB: r = x - y; break;
        case TX_DST_IRSUB: r = y - x; break;
        case TX_DST_IMUL: r = x * y; break;  // the low bits are the same signed or not
        case TX_DST_AND: r = x & y; break;
        case TX_DST_OR: r = x | y; break;
        case TX_DST_XOR: r = x ^ y; break;
        case TX_DST_SHL: r = out_of_range ? 0 : (uint64_t)x << sy; break;  // amounts below 0 or from 32 give 0
        case TX_DST_SHR_LOGICAL: r = out_of_range ? 0 : x >> sy; break;
        // arithmetic: the microcode fills with ones when bit 31 is set (for UInt32 too; UInt16 has no bit 31 set);
        // an amount below 0 gives 0, from 32 on the fill alone
        case TX_DST_SHR: r = sy < 0 ? 0 : sy >= 32 ? (sx < 0 ? ~0u : 0) : (uint32_t)(sx >> sy); break;
        // division by zero is left undefined by tt-metal's kernels; here it gives 0
        case TX_DST_IDIV_TRUNC: r = b ? (uint64_t)(a / b) : 0; break;
        case TX_DST_IDIV_FLOOR: r = b ? (uint64_t)(a / b - (a % b != 0 && (a < 0) != (b < 0))) : 0; break;
        case TX_DST_IFMOD: r = b ? (uint64_t)(a % b) : 0; break;  // fmod: the sign of x
        case TX_DST_IMOD: r = b ? (uint64_t)(a % b + (a % b != 0 && (a % b < 0) != (b < 0) ? b : 0)) : 0; break;  // remainder: the sign of y
        case TX_DST_GCD: r = std::gcd((uint64_t)std::llabs(a), (uint64_t)std::llabs(b)); break;
        case TX_DST_LCM: r = a && b ? std::lcm((uint64_t)std::llabs(a), (uint64_t)std::llabs(b)) : 0; break;  // tt-metal: |x| < 2^15
        case TX_DST_IMAX: r = a >= b ? x : y; break;
        case TX_DST_IMIN: r = a <= b ? x : y; break;
        case TX_DST_ILT: r = a < b; break;
        case TX_DST_IGT: r = a > b; break;
        case TX_DST_ILE: r = a <= b; break;
        default: r = a >= b; break;  // TX_DST_IGE
    }
    return lo16 ? (uint32_t)r & 0xffff : (uint32_t)r;
}

static float float_op(uint32_t op, float x, float y) {
    switch (op) {
        case TX_DST_MAX: return std::max(x, y);
        case TX_DST_MIN: return std::min(x, y);
        case TX_DST_ADD: return x + y;
        case TX_DST_SUB: return x - y;
        case TX_DST_RSUB: return y - x;
        case TX_DST_MUL: return x * y;
        case TX_DST_DIV: return x / y;
        case TX_DST_POW: return std::pow(x, y);
        case TX_DST_EQ: return x == y;
        case TX_DST_NE: return x != y;
        case TX_DST_LT: return x < y;
        case TX_DST_GT: return x > y;
        case TX_DST_LE: return x <= y;
        case TX_DST_GE: return x >= y;
        case TX_DST_XLOGY: return y < 0 || std::isnan(y) ? NAN : x * std::log(y);  // tt-metal: x = 0, y = 0 is NaN too
        case TX_DST_ATAN2: return std::atan2(x, y);  // atan2(in0, in1): in0 is y, in1 is x
        case TX_DST_FMOD: return y == 0 ? NAN : std::fmod(x, y);
        default: {  // TX_DST_REMAINDER: x - floor(x / y) * y, the sign of y
            if (y == 0) return NAN;
            float r = std::fmod(x, y);
            return r != 0 && (r < 0) != (y < 0) ? r + y : r;
        }
    }
}

// The SFPU between two register tiles. Float ops work in float32; storing into a bfloat16 register truncates
// (SFPSTORE), unless the op rounds to nearest even first, as tt-metal's mul and div do on Wormhole and Blackhole.
// Integer ops work on the words the tiles hold (a tile of float values gives its integers) and leave words.
static void dst_binary(uint32_t op_and_flags, uint32_t d0, uint32_t d1, uint32_t od) {
    AtCall call(__builtin_return_address(0));
    Math& mm = m();
    uint32_t op = op_and_flags & 0xff;
    if (op > TX_DST_IGE) fail("SFPU binary op %u is not one the engine knows", op);
    float r[1024];  // whole, then stored: the output may be one of the inputs
    if (op == TX_DST_COPY) {  // copy_dest_values: every bit, and what the bits are
        bool is_int = mm.ints >> d1 & 1, is_unsigned = mm.uints >> d1 & 1;
        memcpy(r, words(d1, "copy_dest_values"), sizeof r);
        memcpy(words(od, "copy_dest_values"), r, sizeof r);
        set_ints(mm, od, is_int, is_unsigned);
    } else if (op >= TX_DST_IDIV) {
        bool ia = mm.ints >> d0 & 1, ib = mm.ints >> d1 & 1;
        const float* a = words(d0, "SFPU integer op");
        const float* b = words(d1, "SFPU integer op");
        uint32_t x[1024], y[1024];
        for (int i = 0; i < 1024; i++) { x[i] = ia ? word_of(a[i]) : to_word(a[i]); y[i] = ib ? word_of(b[i]) : to_word(b[i]); }
        if (op == TX_DST_IDIV) {  // div_int32: the float32 quotient of the two int32s (x / x is exactly 1)
            for (int i = 0; i < 1024; i++)
                r[i] = x[i] == y[i] && x[i] ? 1.0f : (float)(int32_t)x[i] / (float)(int32_t)y[i];
        } else {
            for (int i = 0; i < 1024; i++) r[i] = value(int_op(op, op_and_flags, x[i], y[i]));
        }
        memcpy(words(od, "SFPU integer op"), r, sizeof r);
        set_ints(mm, od, op != TX_DST_IDIV, op_and_flags & TX_DST_UNSIGNED);
    } else {
        const float* a = dst(d0, "SFPU binary op");
        const float* b = dst(d1, "SFPU binary op");
        // the common ops as one loop each, which the compiler vectorizes; the rest through float_op
        auto each = [&](auto f) { for (int i = 0; i < 1024; i++) r[i] = f(a[i], b[i]); };
        switch (op) {
            case TX_DST_ADD: each([](float x, float y) { return x + y; }); break;
            case TX_DST_SUB: each([](float x, float y) { return x - y; }); break;
            case TX_DST_RSUB: each([](float x, float y) { return y - x; }); break;
            case TX_DST_MUL: each([](float x, float y) { return x * y; }); break;
            case TX_DST_DIV: each([](float x, float y) { return x / y; }); break;
            case TX_DST_MAX: each([](float x, float y) { return std::max(x, y); }); break;
            case TX_DST_MIN: each([](float x, float y) { return std::min(x, y); }); break;
            default: for (int i = 0; i < 1024; i++) r[i] = float_op(op, a[i], b[i]);
        }
        float* o = dst(od, "SFPU binary op");
        if (mm.fp32) memcpy(o, r, sizeof r);
        else if (op_and_flags & TX_DST_ROUND_NEAREST) for (int i = 0; i < 1024; i++) o[i] = bf16(r[i]);
        else for (int i = 0; i < 1024; i++) o[i] = value(bits(r[i]) & 0xffff0000);
    }
    bool slow = op == TX_DST_DIV || op == TX_DST_POW || op == TX_DST_IDIV || op == TX_DST_XLOGY || op == TX_DST_ATAN2 ||
                (op >= TX_DST_FMOD && op <= TX_DST_REMAINDER) || (op >= TX_DST_IDIV_TRUNC && op <= TX_DST_LCM) || op == TX_DST_IMOD;
    math_tick(slow ? chip.recip_cycles : chip.sfpu_cycles);
}

// where: each value of `cond` picks the value of `t` (nonzero) or of `f` (zero); nothing is rounded. Words stay words
// when both choices are words.
// where_tile<Int32/UInt32> (TX_WHERE_INT) picks words; a choice that holds values gives its integers' words.
static void dst_where(uint32_t dc, uint32_t dt, uint32_t df, uint32_t od_and_flags) {
    AtCall call(__builtin_return_address(0));
    Math& mm = m();
    uint32_t od = od_and_flags & 0xffff;
    bool ci = mm.ints >> dc & 1, wi = (mm.ints >> dt & 1) && (mm.ints >> df & 1), wu = (mm.uints >> dt & 1) && (mm.uints >> df & 1);
    if (od_and_flags & TX_WHERE_INT) {
        for (uint32_t d : {dt, df})
            if (!(mm.ints >> d & 1)) {
                float* t = words(d, "where_tile");
                for (int i = 0; i < 1024; i++) t[i] = value(to_word(t[i]));
                set_ints(mm, d, true, mm.uints >> (d == dt ? df : dt) & 1);
            }
        wi = true; wu = (mm.uints >> dt & 1) && (mm.uints >> df & 1);
    }
    const float* c = words(dc, "where_tile");
    bool pick[1024];
    for (int i = 0; i < 1024; i++) pick[i] = ci ? word_of(c[i]) != 0 : c[i] != 0.0f;
    const float* t = wi ? words(dt, "where_tile") : dst(dt, "where_tile");
    const float* f = wi ? words(df, "where_tile") : dst(df, "where_tile");
    float r[1024];
    for (int i = 0; i < 1024; i++) r[i] = pick[i] ? t[i] : f[i];
    memcpy(words(od, "where_tile"), r, sizeof r);
    set_ints(mm, od, wi, wu);
    math_tick(chip.sfpu_cycles);
}

// Sum, average or max over rows (the result in column 0), columns (row 0) or both ([0][0]), times the scaler tile's
// first value (the chip reads row 0 of each face; hosts fill it with one value), accumulated into the destination tile
// across calls. A reduction over both dimensions applies the scaler twice, so hosts pass its square root.
// The reduction of tile `a` into register tile d; with fewer than 4 faces (max pool's partial tiles) only the rows and
// columns those faces hold: 1 face 16 x 16, 2 faces 16 x 32.
static void reduce_into(uint32_t pool, uint32_t dim, const float* a, float scaler, uint32_t d, uint32_t num_faces, const char* what) {
    Math& mm = m();
    bool fresh = d < 16 && mm.fresh[d];  // read before dst() marks the tile used
    float* o = dst(d, what);
    int nr = num_faces == 4 ? 32 : 16, nc = num_faces == 1 ? 16 : 32;
    auto put = [&](int at, float v) {  // v already reduced over its row, column or tile
        o[at] = to_dst(mm, pool == TX_POOL_MAX ? (fresh ? v : std::max(o[at], v)) : o[at] + v);
    };
    auto fold = [&](float acc, float x) { return pool == TX_POOL_MAX ? std::max(acc, x) : acc + x; };
    float start = pool == TX_POOL_MAX ? -INFINITY : 0.0f;
    if (dim == TX_REDUCE_ROW)
        for (int r = 0; r < nr; r++) {
            float v = start;
            for (int c = 0; c < nc; c++) v = fold(v, product(mm.fidelity, bf16(a[r * 32 + c]), scaler));
            put(r * 32, v);
        }
    else if (dim == TX_REDUCE_COL)
        for (int c = 0; c < nc; c++) {
            float v = start;
            for (int r = 0; r < nr; r++) v = fold(v, product(mm.fidelity, bf16(a[r * 32 + c]), scaler));
            put(c, v);
        }
    else {  // as the chip does it: each row reduced, then the rows, the scaler applied at both steps
        float v = start;
        for (int r = 0; r < nr; r++) {
            float row = start;
            for (int c = 0; c < nc; c++) row = fold(row, product(mm.fidelity, bf16(a[r * 32 + c]), scaler));
            v = fold(v, product(mm.fidelity, bf16(row), scaler));
        }
        put(0, v);
    }
    mm.fresh[d] = false;
}

static void reduce(uint32_t pool, uint32_t dim, int32_t cb, int32_t cb_scaler, uint32_t t, uint32_t ts, uint32_t d) {
    AtCall call(__builtin_return_address(0));
    float a[1024], s[1024];
    unpack(cb, t, a, "reduce_tile");
    unpack(cb_scaler, ts, s, "reduce_tile");
    reduce_into(pool, dim, a, bf16(s[0]), d, 4, "reduce_tile");
    unpack_then_math(2, chip.reduce_cycles);
}

// 2024's unpack_tilizeA_B_block: the front page of cb0 holds rows `block` tiles wide (16 values a tile with one face,
// else 32); each tile takes face_r_dim rows of each of its faces, over a source register the unpacker first fills with
// -infinity (llk_unpack_tilizeA_B_init<neginf_srcA>), so rows a max pool's window lacks never win.
static void tilize_ab(int32_t cb0, int32_t cb1, uint32_t block, uint32_t scaler_tile, uint32_t num_faces, uint32_t face_r_dim) {
    settled();
    AtCall call(__builtin_return_address(0));
    const char* what = "unpack_tilizeA_B_block";
    Math& mm = m();
    if (block == 0) { mm.tilize_face_r_dim = face_r_dim; return; }  // tilizeA_B_reduce_init
    if (face_r_dim == 0) face_r_dim = mm.tilize_face_r_dim;
    if (num_faces != 1 && num_faces != 2 && num_faces != 4) fail("%s: num_faces is %u; 1, 2 or 4", what, num_faces);
    if (face_r_dim == 0 || face_r_dim > 16) fail("%s: face_r_dim is %u; 1 to 16", what, face_r_dim);
    CB& a = tile_cb(cb0, what);
    if (a.waited < 1) fail("%s: this thread has not waited for a page of circular buffer %d (cb_wait_front first)", what, cb0);
    uint32_t size = a.format == 0 ? 4 : a.format == 5 || a.format == 1 ? 2 : 0;
    if (!size) fail("%s: rows are unpacked from float32, bfloat16 or float16; circular buffer %d's format is %u", what, cb0, a.format);
    float s[1024];
    unpack(cb1, scaler_tile, s, what);
    mm.srcb_scaler = bf16(s[0]);
    uint32_t tw = num_faces == 1 ? 16 : 32, width = block * tw;
    const uint8_t* mem = l1(cur->core);
    for (uint32_t t = 0; t < block; t++) {
        std::vector<float> tile(1024, -INFINITY);
        for (uint32_t f = 0; f < num_faces; f++)
            for (uint32_t r = 0; r < face_r_dim; r++)
                for (uint32_t c = 0; c < 16; c++) {
                    uint32_t row = (f / 2) * 16 + r, col = (f % 2) * 16 + c;
                    uint64_t byte = ((uint64_t)row * width + t * tw + col) * size;
                    const uint8_t* p = mem + slot_addr(a, a.rd, (uint32_t)(byte / a.page_size)) + byte % a.page_size;
                    float v;
                    if (size == 4) memcpy(&v, p, 4);
                    else { uint16_t h; memcpy(&h, p, 2); v = a.format == 1 ? half_to_float(h) : value((uint32_t)h << 16); }
                    tile[row * 32 + col] = v;
                }
        mm.srca.push_back(std::move(tile));
    }
    stage_tick(UNPACK_STAGE, 0, block * chip.unpack_tile_cycles);
}

// 2024's reduce_tile_math: the oldest tile unpack_tilizeA_B_block left in source register A, reduced into tile d.
static void reduce_math(uint32_t pool, uint32_t dim, uint32_t d, uint32_t num_faces) {
    AtCall call(__builtin_return_address(0));
    Math& mm = m();
    if (mm.srca.empty()) fail("reduce_tile_math: source register A holds no tile (unpack_tilizeA_B_block first, one tile per call)");
    std::vector<float> a = std::move(mm.srca.front());
    mm.srca.erase(mm.srca.begin());
    reduce_into(pool, dim, a.data(), mm.srcb_scaler, d, num_faces, "reduce_tile_math");
    stage_tick(MATH_STAGE, cur->stage[UNPACK_STAGE], chip.reduce_cycles);
}


static void transpose(int32_t cb, uint32_t t, uint32_t d) {
    AtCall call(__builtin_return_address(0));
    float a[1024];
    unpack(cb, t, a, "transpose_wh_tile");
    float* o = dst(d, "transpose_wh_tile");
    for (int i = 0; i < 1024; i++) o[i] = to_dst(m(), a[(i % 32) * 32 + i / 32]);
    unpack_then_math(1, chip.copy_cycles);
}

// sfpu_reduce: register tile d reduced in place over rows (into column 0) or columns (into row 0) at the register's full
// width: float32 (or bfloat16) values, or 32-bit words for Int32 / UInt32 / UInt16. A max or min is exact; a sum folds
// in order along the row or column (the chip's SFPU adds in a tree: its sum may round differently).
static void sfpu_reduce(uint32_t pool, uint32_t dim, uint32_t d, uint32_t format) {
    AtCall call(__builtin_return_address(0));
    Math& mm = m();
    if (pool > TX_POOL_MIN || dim > TX_REDUCE_COL) fail("sfpu_reduce: pool %u, dimension %u", pool, dim);
    bool is_int = format == 8 || format == 24 || format == 9, is_unsigned = format != 8;
    float* o = is_int ? words(d, "sfpu_reduce") : dst(d, "sfpu_reduce");
    if (is_int && !(mm.ints >> d & 1))  // a tile of values reduced as integers: their words first
        for (int i = 0; i < 1024; i++) o[i] = value(to_word(o[i]));
    auto fold = [&](float acc, float x) -> float {
        if (!is_int) return pool == TX_POOL_MAX ? std::max(acc, x) : pool == TX_POOL_MIN ? std::min(acc, x) : to_dst(mm, acc + x);
        uint32_t a = word_of(acc), b = word_of(x);
        if (pool == TX_POOL_SUM || pool == TX_POOL_AVG) return value(a + b);
        bool less = is_unsigned ? a < b : (int32_t)a < (int32_t)b;
        return value((pool == TX_POOL_MAX) == less ? b : a);
    };
    for (int k = 0; k < 32; k++) {  // row k (into [k][0]) or column k (into [0][k])
        int at = dim == TX_REDUCE_ROW ? k * 32 : k, step = dim == TX_REDUCE_ROW ? 1 : 32;
        float v = o[at];
        for (int j = 1; j < 32; j++) v = fold(v, o[at + j * step]);
        if (pool == TX_POOL_AVG) v = is_int ? value(is_unsigned ? word_of(v) / 32 : (uint32_t)((int32_t)word_of(v) / 32)) : to_dst(mm, v / 32.0f);
        o[at] = v;
    }
    if (is_int) set_ints(mm, d, true, is_unsigned);
    math_tick(chip.sfpu_reduce_cycles);
}

// Operands are cached by name (circular buffer, address, pages popped so far): a pack into a page another index of the
// same memory holds at its front changes what that name means, so the compute thread's operands are all retired.
static void retire_aliased(Math& mm, int32_t i, uint32_t at) {
    Core& c = core_of(cur);
    for (uint32_t m = c.cbs[i].shares; m; m &= m - 1) {
        const CB& o = c.cbs[__builtin_ctz(m)];
        if (at < o.addr || at >= o.addr + o.size) continue;
        uint32_t after_front = at >= o.rd ? at - o.rd : at + o.size - o.rd;
        if (after_front < o.filled() * o.page_size) return retire_operands(&mm);
    }
}

static void pack(uint32_t d, int32_t i, int32_t slot) {
    AtCall call(__builtin_return_address(0));
    Math& mm = m();
    CB& cb = tile_cb(i, "pack_tile");
    // a tile of integer words goes to an Int32 or UInt32 buffer as it is, to any other format as the integers' values
    bool as_words = (mm.ints >> d & 1) && (cb.format == 8 || cb.format == 24) && !mm.relu && !mm.l1_acc;
    // a tile queued matmuls go into is packed after them, by a flush or a batch (post)
    bool queued = (mm.pending_tiles >> d & 1) && !mm.relu && !mm.l1_acc;
    float* o = as_words ? words(d, "pack_tile", true) : dst(d, "pack_tile", true, queued);
    uint32_t s = slot < 0 ? cb.packed : (uint32_t)slot;
    if (s >= cb.reserved) fail("pack_tile(%u, cb %d): tile slot %u is past the %u pages reserved; cb_reserve_back for it first", d, i, s, cb.reserved);
    uint8_t* to = l1(cur->core) + slot_addr(cb, cb.wr, s);
    retire_aliased(mm, i, (uint32_t)(to - l1(cur->core)));
    if (!queued) settled();  // a batch may pack into this page too
    if (queued) {
        // A later pack to a page wins, and reads of it come first, whichever thread does which. What this thread
        // queued reads before its packs run: only a page another batch reads or packs into waits.
        settle_page(mm, to, cb.page_size, true);
        mm.packs.push_back({d, to, cb.format, i});
    } else if (m().relu || m().l1_acc) {
        float r[1024], held[1024];
        for (int k = 0; k < 1024; k++) r[k] = m().relu && o[k] < 0 ? 0.0f : o[k];
        if (m().l1_acc) {  // the packer adds the tile to the one at the slot, in float32, and stores the sum in the format
            decode(to, cb.format, held);
            for (int k = 0; k < 1024; k++) r[k] += held[k];
        }
        encode(r, cb.format, to);
    } else if (as_words) {
        rows_to_faces(o, (float*)to);
    } else {
        encode(o, cb.format, to);
    }
    if (slot < 0) cb.packed++;
    stage_tick(PACK_STAGE, m().state == FULL ? cur->stage[MATH_STAGE] : 0, chip.pack_tile_cycles);  // after tile_regs_wait, or math
}

// tilize: `tiles` pages of rows (32 rows x tiles*32 values) -> `tiles` tiles; untilize: back.
static void tilize(int32_t in, uint32_t tiles, int32_t out, uint32_t untilize) {
    settled();
    AtCall call(__builtin_return_address(0));
    const char* what = untilize ? "untilize_block" : "tilize_block";
    CB& a = tile_cb(in, what);
    CB& b = tile_cb(out, what);
    if (a.waited < tiles) fail("%s: this thread has waited for %u pages of circular buffer %d; it needs %u (cb_wait_front first)", what, a.waited, in, tiles);
    if (b.packed + tiles > b.reserved) fail("%s: %u pages of circular buffer %d are reserved for %u more tiles (cb_reserve_back first)", what, b.reserved, out, b.packed + tiles);
    std::vector<float> rows(1024 * tiles), tile(1024);
    uint32_t width = 32 * tiles;
    for (uint32_t t = 0; t < tiles; t++) {
        const uint8_t* p = l1(cur->core) + slot_addr(a, a.rd, t);
        if (untilize) {
            decode(p, a.format, tile.data());
            for (int i = 0; i < 1024; i++) rows[(i / 32) * width + t * 32 + i % 32] = tile[i];
        } else {
            float faces[1024];  // a page of rows is not in faces: decode it as faces, then undo the face order
            decode(p, a.format, faces);
            for (int i = 0; i < 1024; i++) rows[t * 1024 + face_index[i]] = faces[i];
        }
    }
    for (uint32_t t = 0; t < tiles; t++) {
        uint8_t* q = l1(cur->core) + slot_addr(b, b.wr, b.packed + t);
        if (untilize) {
            float faces[1024];
            for (int i = 0; i < 1024; i++) faces[i] = rows[t * 1024 + i];
            float rm[1024];  // encode() puts values into face order; hand it the inverse so the page stays rows
            for (int i = 0; i < 1024; i++) rm[i] = faces[face_index[i]];
            encode(rm, b.format, q);
        } else {
            for (int i = 0; i < 1024; i++) tile[i] = rows[(i / 32) * width + t * 32 + i % 32];
            encode(tile.data(), b.format, q);
        }
    }
    b.packed += tiles;
    unpack_then_math(tiles, chip.copy_cycles * tiles);
    stage_tick(PACK_STAGE, cur->stage[MATH_STAGE], chip.pack_tile_cycles * tiles);
}

// Rows out of tiles: `rows` x block_ct tiles (tile_of(k), k in row order) into cb's reserved pages, which hold rows of
// full_ct tiles; this block's columns start at tile column col_block * block_ct.
template <class TileOf>
static void rows_out(const char* what, TileOf tile_of, uint32_t block_ct, uint32_t full_ct, uint32_t col_block, uint32_t rows, int32_t i) {
    settled();
    CB& cb = tile_cb(i, what);
    uint32_t size = cb.format == 0 ? 4 : cb.format == 5 || cb.format == 1 ? 2 : 0;
    if (!size) fail("%s(cb %d): rows are packed as float32, bfloat16 or float16; the buffer's format is %u", what, i, cb.format);
    if ((col_block + 1) * block_ct > full_ct) fail("%s: column block %u of %u tiles is past a row of %u tiles", what, col_block, block_ct, full_ct);
    uint64_t need = (uint64_t)rows * 32 * full_ct * 32 * size;
    if (need > (uint64_t)cb.reserved * cb.page_size)
        fail("%s(cb %d): %u rows of %u tiles need %llu bytes; %u pages of %u are reserved (cb_reserve_back first)", what, i, rows * 32,
             full_ct, (unsigned long long)need, cb.reserved, cb.page_size);
    Math& mm = m();
    uint8_t* mem = l1(cur->core);
    uint32_t width = full_ct * 32;
    for (uint32_t tr = 0; tr < rows; tr++)
        for (uint32_t t = 0; t < block_ct; t++) {
            const float* o = tile_of(tr * block_ct + t);
            for (int r = 0; r < 32; r++)
                for (int c = 0; c < 32; c++) {
                    float v = mm.relu && o[r * 32 + c] < 0 ? 0.0f : o[r * 32 + c];
                    uint64_t byte = ((uint64_t)(tr * 32 + r) * width + (col_block * block_ct + t) * 32 + c) * size;
                    uint8_t* p = mem + slot_addr(cb, cb.wr, (uint32_t)(byte / cb.page_size)) + byte % cb.page_size;
                    if (size == 4) memcpy(p, &v, 4);
                    else { uint16_t h = cb.format == 1 ? float_to_half(v) : bits(bf16(v)) >> 16; memcpy(p, &h, 2); }
                }
        }
}

// Rows straight from the register: register tiles from d0 on (pack_untilize_dst / pack_untilize_dest).
static void pack_untilize(uint32_t d0, uint32_t block_ct, uint32_t full_ct, uint32_t col_block, uint32_t rows, int32_t i) {
    AtCall call(__builtin_return_address(0));
    rows_out("pack_untilize_dst", [&](uint32_t k) { return (const float*)dst(d0 + k, "pack_untilize_dst", true); }, block_ct, full_ct,
             col_block, rows, i);
    stage_tick(PACK_STAGE, 0, chip.pack_tile_cycles * rows * block_ct);  // after tile_regs_wait
}

// The same from the front tiles of a circular buffer, through the register (pack_untilize_block with a column block of
// a wider row).
static void untilize_rows(int32_t in, uint32_t block_ct, uint32_t full_ct, uint32_t col_block, uint32_t rows, int32_t out) {
    AtCall call(__builtin_return_address(0));
    const char* what = "pack_untilize_block";
    CB& a = tile_cb(in, what);
    if (a.waited < rows * block_ct) fail("%s: this thread has waited for %u pages of circular buffer %d; it needs %u (cb_wait_front first)", what, a.waited, in, rows * block_ct);
    float tile[1024];
    rows_out(what, [&](uint32_t k) { decode(l1(cur->core) + slot_addr(a, a.rd, k), a.format, tile); return (const float*)tile; }, block_ct,
             full_ct, col_block, rows, out);
    unpack_then_math(rows * block_ct, chip.copy_cycles * rows * block_ct);
    stage_tick(PACK_STAGE, cur->stage[MATH_STAGE], chip.pack_tile_cycles * rows * block_ct);
}

// pack_untilize_dst of part of each tile (2024's max pool packs one row): face_r_dim rows of the first num_faces faces
// of register tiles dst.., side by side, each 16 values wide a face, as one row-major block into cb's reserved pages.
static void pack_untilize_faces(uint32_t d0, uint32_t tiles, int32_t i, uint32_t face_r_dim, uint32_t num_faces) {
    settled();
    AtCall call(__builtin_return_address(0));
    const char* what = "pack_untilize_dst";
    if (num_faces != 1 && num_faces != 2) fail("%s: partial tiles are 1 or 2 faces; num_faces is %u", what, num_faces);
    if (face_r_dim == 0 || face_r_dim > 16) fail("%s: face_r_dim is %u; 1 to 16", what, face_r_dim);
    CB& cb = tile_cb(i, what);
    uint32_t size = cb.format == 0 ? 4 : cb.format == 5 || cb.format == 1 ? 2 : 0;
    if (!size) fail("%s(cb %d): rows are packed as float32, bfloat16 or float16; the buffer's format is %u", what, i, cb.format);
    uint32_t tw = num_faces * 16, width = tiles * tw;
    uint64_t need = (uint64_t)face_r_dim * width * size;
    if (need > (uint64_t)cb.reserved * cb.page_size)
        fail("%s(cb %d): %u rows of %u values need %llu bytes; %u pages of %u are reserved (cb_reserve_back first)", what, i, face_r_dim,
             width, (unsigned long long)need, cb.reserved, cb.page_size);
    Math& mm = m();
    uint8_t* mem = l1(cur->core);
    for (uint32_t t = 0; t < tiles; t++) {
        const float* o = dst(d0 + t, what, true);
        for (uint32_t r = 0; r < face_r_dim; r++)
            for (uint32_t c = 0; c < tw; c++) {
                float v = mm.relu && o[r * 32 + c] < 0 ? 0.0f : o[r * 32 + c];
                uint64_t byte = ((uint64_t)r * width + t * tw + c) * size;
                uint8_t* p = mem + slot_addr(cb, cb.wr, (uint32_t)(byte / cb.page_size)) + byte % cb.page_size;
                if (size == 4) memcpy(p, &v, 4);
                else { uint16_t h = cb.format == 1 ? float_to_half(v) : bits(bf16(v)) >> 16; memcpy(p, &h, 2); }
            }
    }
    stage_tick(PACK_STAGE, 0, chip.pack_tile_cycles * tiles);
}

// Operands are kept truncated to the fidelity's bits: a new fidelity does the queued matmuls, then forgets them.
static void matmul_fidelity(uint32_t fidelity) {
    AtCall call(__builtin_return_address(0));
    Math& mm = m();
    uint32_t passes = fidelity == 0 ? 1 : fidelity;
    if (passes == mm.mm_fidelity) return;
    flush(mm);
    mm.mm_fidelity = passes;
    retire_operands(&mm);  // unpacked for the old passes
}

static void pack_relu(uint32_t type) {
    AtCall call(__builtin_return_address(0));
    if (type > 1) fail("llk_pack_relu_config(%u): only NO_RELU and ZERO_RELU are modelled", type);
    m().relu = type == 1;
}

void compute_bind(TxApi& api) {
    api.pack_relu = pack_relu;
    api.pack_l1_acc = [](uint32_t enable) { m().l1_acc = enable != 0; };
    api.compute_init = compute_init; api.regs = regs; api.copy_tile = copy_tile; api.binary = binary; api.matmul = matmul;
    api.unary = unary; api.unary3 = unary3; api.dst_binary = dst_binary; api.dst_where = dst_where; api.reduce = reduce; api.sfpu_reduce = sfpu_reduce; api.transpose = transpose; api.pack = pack;
    api.tilize = tilize;
    api.tilize_ab = tilize_ab; api.reduce_math = reduce_math; api.pack_untilize_faces = pack_untilize_faces;
    api.pack_untilize = pack_untilize; api.matmul_fidelity = matmul_fidelity; api.untilize_rows = untilize_rows;
}
