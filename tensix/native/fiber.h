// Switching between the engine's fibers (kernel threads and the scheduler). glibc's swapcontext also saves and restores
// the signal mask, a system call at every switch: a sixth of an element-wise add's time went there. On x86-64 a switch
// here saves the callee-saved registers and the floating-point control words on the old stack and loads the new one
// (fiber.cpp); elsewhere it is swapcontext.
#pragma once
#include <cstddef>
#include <cstdint>
#include <ucontext.h>

#if defined(__x86_64__)
struct Fiber { void* sp = nullptr; };
extern "C" void tensix_fiber_switch(void** save, void* load);
inline void fiber_switch(Fiber& from, Fiber& to) { tensix_fiber_switch(&from.sp, to.sp); }
// A fiber that starts in entry() (which must never return) on the stack [stack, stack + size).
inline void fiber_make(Fiber& f, uint8_t* stack, size_t size, void (*entry)()) {
    uint64_t* sp = (uint64_t*)((uintptr_t)(stack + size) & ~(uintptr_t)15);
    *--sp = 0;                                    // so that entry() sees the stack as a call leaves it
    *--sp = (uint64_t)entry;                      // the first switch "returns" here
    for (int i = 0; i < 6; i++) *--sp = 0;        // rbp, rbx, r12-r15
    uint32_t mxcsr; uint16_t fpucw;
    asm volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mxcsr), "=m"(fpucw));
    *--sp = mxcsr | (uint64_t)fpucw << 32;        // the kernel starts with this thread's rounding modes
    f.sp = sp;
}
#else
struct Fiber { ucontext_t ctx; };
inline void fiber_switch(Fiber& from, Fiber& to) { swapcontext(&from.ctx, &to.ctx); }
inline void fiber_make(Fiber& f, uint8_t* stack, size_t size, void (*entry)()) {
    getcontext(&f.ctx);
    f.ctx.uc_stack.ss_sp = stack;
    f.ctx.uc_stack.ss_size = size;
    f.ctx.uc_link = nullptr;
    makecontext(&f.ctx, entry, 0);
}
#endif
