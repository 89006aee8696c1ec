// tensix_fiber_switch(save, load): push what the ABI says a call preserves, store the stack pointer in *save, take
// `load` as the stack pointer and pop the same from it. See fiber.h.
#if defined(__x86_64__)
asm(R"(
    .text
    .globl tensix_fiber_switch
    .type tensix_fiber_switch, @function
tensix_fiber_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size tensix_fiber_switch, .-tensix_fiber_switch
    .section .note.GNU-stack,"",@progbits
)");
#endif
