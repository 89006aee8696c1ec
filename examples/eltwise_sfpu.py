"""tt-metal's eltwise_sfpu: a unary op on the vector unit (SFPU) over a tensor of many tiles. The op arrives as the
SFPU_OP_CHAIN_0 define, as tt-metal's host sets it; each op is checked against numpy in bfloat16."""
import numpy as np
import tensix as tt

READER = r"""
#include "dataflow_api.h"

void kernel_main() {
    uint32_t src = get_arg_val<uint32_t>(0), n_tiles = get_arg_val<uint32_t>(1);
    constexpr uint32_t cb = tt::CB::c_in0;
    const InterleavedAddrGenFast<true> s = {src, get_tile_size(cb), get_dataformat(cb)};
    for (uint32_t i = 0; i < n_tiles; i++) {
        cb_reserve_back(cb, 1);
        noc_async_read_tile(i, s, get_write_ptr(cb));
        noc_async_read_barrier();
        cb_push_back(cb, 1);
    }
}
"""

COMPUTE = r"""
#include "compute_kernel_api/common.h"
#include "compute_kernel_api/tile_move_copy.h"
#include "compute_kernel_api/eltwise_unary/eltwise_unary.h"
#include "compute_kernel_api/eltwise_unary/sfpu_split_includes.h"

namespace NAMESPACE {
void MAIN {
    uint32_t per_core_block_cnt = get_compile_time_arg_val(0);
    uint32_t per_core_block_dim = get_compile_time_arg_val(1);
    init_sfpu(tt::CB::c_in0);
    for (uint32_t block = 0; block < per_core_block_cnt; block++) {
        cb_reserve_back(tt::CB::c_out0, per_core_block_dim);  // reserve a block, pack into it tile by tile, push once
        for (uint32_t t = 0; t < per_core_block_dim; t++) {
            acquire_dst(tt::DstMode::Half);
            cb_wait_front(tt::CB::c_in0, 1);
            copy_tile(tt::CB::c_in0, 0, 0);
#ifdef SFPU_OP_CHAIN_0
            SFPU_OP_CHAIN_0
#endif
            pack_tile(0, tt::CB::c_out0);
            cb_pop_front(tt::CB::c_in0, 1);
            release_dst(tt::DstMode::Half);
        }
        cb_push_back(tt::CB::c_out0, per_core_block_dim);
    }
}
}  // namespace NAMESPACE
"""

WRITER = r"""
#include "dataflow_api.h"

void kernel_main() {
    uint32_t dst = get_arg_val<uint32_t>(0), n_tiles = get_arg_val<uint32_t>(1);
    constexpr uint32_t cb = tt::CB::c_out0;
    const InterleavedAddrGenFast<true> d = {dst, get_tile_size(cb), get_dataformat(cb)};
    for (uint32_t i = 0; i < n_tiles; i++) {
        cb_wait_front(cb, 1);
        noc_async_write_tile(i, d, get_read_ptr(cb));
        noc_async_write_barrier();
        cb_pop_front(cb, 1);
    }
}
"""


def f32bits(x): return int(np.float32(x).view(np.uint32))


# name: (SFPU_OP_CHAIN_0, numpy reference on float64, input range)
OPS = {
    "exp": ("exp_tile_init(); exp_tile(0);", np.exp, (-4, 4)),
    "exp_approx": ("exp_tile_init<true>(); exp_tile<true>(0);", np.exp, (-4, 4)),
    "exp_2024": ("exp_tile_init(true); exp_tile(0, 1u);", np.exp, (-4, 4)),  # 2024's headers: the flag as an argument
    "log": ("log_tile_init(); log_tile(0);", np.log, (0.01, 100)),
    "log10": ("log_with_base_tile_init(); log_with_base_tile(0, 0x36f3u);", np.log10, (0.01, 100)),  # 1/ln(10) in float16
    "sqrt": ("sqrt_tile_init(); sqrt_tile(0);", np.sqrt, (0, 100)),
    "rsqrt": ("rsqrt_tile_init(); rsqrt_tile(0);", lambda x: 1 / np.sqrt(x), (0.01, 100)),
    "recip": ("recip_tile_init(); recip_tile(0);", lambda x: 1 / x, (0.1, 10)),
    "relu": ("relu_tile_init(); relu_tile(0);", lambda x: np.maximum(x, 0), (-4, 4)),
    "relu_max": (f"relu_max_tile_init(); relu_max_tile(0, {f32bits(1.5)}u);", lambda x: np.clip(x, 0, 1.5), (-4, 4)),
    "relu_min": (f"relu_min_tile_init(); relu_min_tile(0, {f32bits(0.5)}u);", lambda x: np.where(x < 0.5, 0, x), (-4, 4)),
    "gelu": ("gelu_tile_init(); gelu_tile<false>(0);", lambda x: 0.5 * x * (1 + np.vectorize(__import__("math").erf)(x / np.sqrt(2))), (-4, 4)),
    "sigmoid": ("sigmoid_tile_init(); sigmoid_tile(0);", lambda x: 1 / (1 + np.exp(-x)), (-6, 6)),
    "tanh": ("tanh_tile_init(); tanh_tile(0);", np.tanh, (-3, 3)),
    "abs": ("abs_tile_init(); abs_tile(0);", np.abs, (-4, 4)),
    "negative": ("negative_tile_init(); negative_tile(0);", np.negative, (-4, 4)),
    "square": ("square_tile_init(); square_tile(0);", np.square, (-4, 4)),
    "power": ("power_tile_init(); power_tile(0, 3u);", lambda x: x ** 3, (-2, 2)),
    "power_float": (f"power_tile_init(); power_tile(0, {f32bits(2.0)}u);", lambda x: x ** 2, (-2, 2)),
    "leaky_relu": (f"leaky_relu_tile_init(); leaky_relu_tile(0, {f32bits(0.125)}u);", lambda x: np.where(x < 0, x * 0.125, x), (-4, 4)),
    "elu": (f"elu_tile_init(); elu_tile(0, {f32bits(0.5)}u);", lambda x: np.where(x < 0, 0.5 * np.expm1(x), x), (-4, 4)),
    "exp2": ("exp2_tile_init(); exp2_tile(0);", np.exp2, (-4, 4)),
    "expm1": ("expm1_tile_init(); expm1_tile(0);", np.expm1, (-2, 2)),
    "silu": ("silu_tile_init(); silu_tile(0);", lambda x: x / (1 + np.exp(-x)), (-4, 4)),
    "add_scalar": (f"binop_with_scalar_tile_init(); add_unary_tile(0, {f32bits(1.5)}u);", lambda x: x + 1.5, (-4, 4)),
    "mul_scalar": (f"binop_with_scalar_tile_init(); mul_unary_tile(0, {f32bits(-3.0)}u);", lambda x: x * -3, (-4, 4)),
    "sin": ("sin_tile_init(); sin_tile(0);", np.sin, (-3, 3)),
    "cos": ("cos_tile_init(); cos_tile(0);", np.cos, (-3, 3)),
    "sign": ("sign_tile_init(); sign_tile(0);", np.sign, (-4, 4)),
    "eqz": ("eqz_tile_init(); eqz_tile(0);", lambda x: (x == 0) * 1.0, (-2, 2)),
    "nez": ("nez_tile_init(); nez_tile(0);", lambda x: (x != 0) * 1.0, (-2, 2)),
    "ltz": ("ltz_tile_init(); ltz_tile(0);", lambda x: (x < 0) * 1.0, (-2, 2)),
    "gtz": ("gtz_tile_init(); gtz_tile(0);", lambda x: (x > 0) * 1.0, (-2, 2)),
    "lez": ("lez_tile_init(); lez_tile(0);", lambda x: (x <= 0) * 1.0, (-2, 2)),
    "gez": ("gez_tile_init(); gez_tile(0);", lambda x: (x >= 0) * 1.0, (-2, 2)),
}


def run_op(dev, chain, x, name="eltwise_sfpu", block=4):
    rows, cols = x.shape
    src = dev.buffer(tt.tilize(x), fmt=tt.bfloat16)
    dst = dev.buffer(src.size, page=src.page)
    n = src.pages
    assert n % block == 0
    prog = tt.Program(dev, (0, 0), reader=tt.Kernel(READER, "reader_unary"), writer=tt.Kernel(WRITER, "writer_unary"),
                      compute=tt.Kernel(COMPUTE, name, compile_args=[n // block, block], defines={"SFPU_OP_CHAIN_0": chain}),
                      reader_args=[src.addr, n], writer_args=[dst.addr, n],
                      cbs=[tt.CB(0, tt.bfloat16, 2), tt.CB(16, tt.bfloat16, block)])
    run = dev.run(prog)
    y = tt.untilize(dst.read(tt.bfloat16), rows, cols)
    src.free(); dst.free()
    return y, run


def main(dev=None, verbose=False):
    dev = dev or tt.Device()
    rng = np.random.default_rng(0)
    ok, last = True, None
    for name, (chain, ref, (lo, hi)) in OPS.items():
        x = tt.round_bfloat16(rng.uniform(lo, hi, (64, 256)))
        if lo < 0: x[0, :4] = 0  # the comparisons need zeros to see
        y, last = run_op(dev, chain, x, name)
        want = tt.round_bfloat16(ref(x.astype(np.float64)))
        good = np.allclose(y, want, rtol=2 ** -7, atol=2 ** -9)  # one bfloat16 step: the chip works in bfloat16 and rounds
        if verbose or not good: print(f"  {name:<10} {'ok' if good else 'WRONG'}  max error {np.max(np.abs(y - want)):.3g}")
        ok &= good
    return ok, last


if __name__ == "__main__":
    ok, run = main(verbose=True)
    print(f"eltwise_sfpu: {'PASS' if ok else 'FAIL'} ({len(OPS)} ops)")
