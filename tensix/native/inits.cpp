// The strict-init checker. On the chip a tile op runs in whatever mode the last init calls left the unpacker, the math
// engine, the SFPU and the packer in (tt-metal's compute_kernel_api/*.h): copy_tile after mm_init_short unpacks and
// computes as a matmul, exp_tile after recip_tile_init uses recip's constants, pack_tile after reduce_init packs through
// the reduce's edge mask, and a buffer in another data format than the one srcA, srcB or the packer were configured for
// is read or written as that format. The simulator computes each op from the call itself, so such a kernel gives the
// right answer here and a wrong one on silicon; with the checker on it stops with an error naming the op, the init it
// ran after and the init it needs.
// Conservative: an init whose effect is not certain (the LLK calls, today's sentinel inits, the uninits' restored mode)
// leaves that unit "unknown", which anything may follow until the next init the checker knows.
// TENSIX_STRICT_INIT=0 (Device(strict_init=False)) turns it off.
#include "engine.h"

bool strict_init = true;

namespace {
const char* format_name(uint32_t f) {
    switch (f) {
        case 0: return "Float32"; case 1: return "Float16"; case 2: return "Bfp8"; case 3: return "Bfp4"; case 5: return "Float16_b";
        case 6: return "Bfp8_b"; case 7: return "Bfp4_b"; case 8: return "Int32"; case 9: return "UInt16"; case 14: return "Int8";
        case 24: return "UInt32"; case 30: return "UInt8"; default: return "another format";
    }
}
// Int32 and UInt32 words unpack and pack alike (the same 32 bits; only the SFPU ops say which they are).
uint32_t format_class(uint32_t f) { return f == 24 ? 8 : f; }

const char* UNIT[3] = {"srcA", "srcB", "the packer"};
const char* RECONFIG[3] = {"reconfig_data_format_srca", "reconfig_data_format_srcb", "pack_reconfig_data_format"};
const char* NEVER = "the kernel's start";
}  // namespace

// What the init calls have left set up, per compute thread (reset at the kernel's start, as the chip's firmware
// leaves nothing an op may rely on).
void inits_reset(InitState& s) { s = InitState{}; }

static void init(uint32_t kind, uint32_t mode, int32_t a, int32_t b, int32_t c, const char* call) {
    if (!strict_init) return;
    AtCall site(__builtin_return_address(0));
    InitState& s = cur->inits;
    int32_t cbs[3] = {a, b, c};
    for (int u = 0; u < 3; u++) {
        if (cbs[u] == TX_CB_UNKNOWN) s.format[u] = -1;
        else if (cbs[u] >= 0 && cbs[u] < 32 && core_of(cur).cb_used >> cbs[u] & 1) {  // (a default argument may name no buffer)
            s.format[u] = (int32_t)core_of(cur).cbs[cbs[u]].format; s.format_cb[u] = cbs[u]; s.format_by[u] = call;
        } else if (cbs[u] >= 0) s.format[u] = -1;
    }
    if (mode & TX_INIT_HW) s.configured = true;
    if (mode & TX_INIT_PACK_MASK) s.reduce_mask = call;
    switch (kind) {
        case TX_INIT_FORMATS: break;  // reconfig_data_format* and the like: formats only
        case TX_INIT_SFPU: s.sfpu = call; break;
        case TX_INIT_PACK_UNTILIZE: s.pack_untilize = call; break;
        case TX_UNINIT_PACK_UNTILIZE: s.pack_untilize = nullptr; break;
        case TX_UNINIT_REDUCE: s.reduce_mask = nullptr; break;  // the packer only (2024's reduce_revert_delta)
        case TX_UNINIT_TILIZE: s.tilize = nullptr; s.math = TX_INIT_UNKNOWN; s.math_by = call; break;  // restores "a" mode
        default:
            if (kind == TX_INIT_TILIZE || kind == TX_INIT_UNTILIZE) s.tilize = call;
            s.math = kind; s.mode = mode & TX_ANY; s.math_by = call;
    }
}

// The modes a kernel's op needs; `fix` is the init that sets them (for SFPU ops: the init it needs, compared by name).
static void need(uint32_t kind, uint32_t mode, int32_t a, int32_t b, int32_t c, const char* call, const char* fix) {
    if (!strict_init) return;
    const void* at = __builtin_return_address(0);
    AtCall site(at);
    InitState& s = cur->inits;
    if (!s.configured)
        fail("%s%s with the unpacker, math engine and packer never configured: start the kernel with "
             "compute_kernel_hw_startup (2024: binary_op_init_common, unary_op_init_common or mm_init)%s%s", call, where(at).c_str(),
             fix ? ", then call " : "", fix ? fix : "");
    int32_t cbs[3] = {a, b, c};
    for (int u = 0; u < 3; u++) {
        if (cbs[u] < 0 || s.format[u] < 0) continue;
        uint32_t f = cb_of(cbs[u], call).format;
        if (format_class(f) != format_class((uint32_t)s.format[u]))
            fail("%s%s: circular buffer %d holds %s but %s is configured for %s (buffer %d, by %s): call %s(%d) first", call,
                 where(at).c_str(), cbs[u], format_name(f), UNIT[u], format_name((uint32_t)s.format[u]), s.format_cb[u],
                 s.format_by[u], RECONFIG[u], cbs[u]);
    }
    if (kind == TX_NEED_SFPU) {
        if (fix && (!s.sfpu || strcmp(s.sfpu, fix)))
            fail("%s%s after %s: call %s first", call, where(at).c_str(), s.sfpu ? s.sfpu : NEVER, fix);
        return;
    }
    if (kind == TX_NEED_PACK) {  // the packer: tiles, not rows; no reduce's edge mask but on the reduce's own results
        if (s.pack_untilize)
            fail("%s%s after %s: the packer untilizes; call pack_untilize_uninit first", call, where(at).c_str(), s.pack_untilize);
        if (s.reduce_mask && s.math != TX_INIT_REDUCE && s.math != TX_INIT_UNKNOWN)
            fail("%s%s after %s: the packer still masks to the reduce's row or column (%s); call reduce_uninit (2024: "
                 "reduce_revert_delta) first", call, where(at).c_str(), s.math_by, s.reduce_mask);
        return;
    }
    if (kind == TX_INIT_PACK_UNTILIZE) {
        if (!s.pack_untilize) fail("%s%s after %s: call %s first", call, where(at).c_str(), s.math_by ? s.math_by : NEVER, fix);
        return;
    }
    if (s.tilize && kind != TX_INIT_TILIZE && kind != TX_INIT_UNTILIZE)
        fail("%s%s after %s: the unpacker is still in its tilize or untilize mode; call %s first", call, where(at).c_str(), s.tilize,
             strstr(s.tilize, "untilize") ? "untilize_uninit" : strstr(s.tilize, "fast") ? "fast_tilize_uninit" : "tilize_uninit");
    if (s.math == TX_INIT_UNKNOWN) return;
    // the op mode's detail (binary op and broadcast, reduce pool and dimension) counts where both sides know it
    auto agree = [&](uint32_t part) { return (mode & part) == part || (s.mode & part) == part || (mode & part) == (s.mode & part); };
    bool detail = agree(0xf) && agree(0xf0);
    if (s.math != kind || !detail) fail("%s%s after %s: call %s first", call, where(at).c_str(), s.math_by ? s.math_by : NEVER, fix);
}

void inits_bind(TxApi& api) { api.init = init; api.need = need; }
