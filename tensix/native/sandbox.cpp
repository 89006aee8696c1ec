// The sandbox: once the engine has started, it restricts itself with a seccomp filter to the system calls it needs,
// so a kernel (code the user wrote, generated, or was sent) cannot start programs, make processes, signal any process
// but the engine, open files for writing, or reach the network. What it may still do: read files the user can read
// (dlopen opens each kernel by its path, and a filter cannot see paths), write to the engine's own pipes and stdout,
// and use memory and time. A refused call raises SIGSYS; the handler names the call, and the kernel's line where the
// stack shows it, to the host.
#include "engine.h"
#include <execinfo.h>
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#if defined(__linux__)
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#endif

static int reply_fd = -1;

#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
#if defined(__x86_64__)
#define TX_AUDIT_ARCH AUDIT_ARCH_X86_64
#else
#define TX_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

// The calls a refusal is most likely to be, by name; any other is named by its number.
static const char* syscall_name(long nr) {
    switch (nr) {
#define N(x) case SYS_##x: return #x;
        N(execve) N(execveat) N(clone) N(clone3) N(kill) N(tgkill) N(tkill) N(socket) N(socketpair) N(connect) N(bind)
        N(listen) N(accept) N(accept4) N(sendto) N(recvfrom) N(sendmsg) N(recvmsg) N(openat) N(unlinkat) N(renameat)
        N(mkdirat) N(fchmodat) N(fchownat) N(linkat) N(symlinkat) N(ptrace) N(prctl) N(setuid) N(setgid) N(chdir)
        N(fchdir) N(mount) N(umount2) N(pipe2) N(dup) N(dup3) N(ioctl) N(truncate) N(ftruncate) N(personality)
        N(process_vm_readv) N(process_vm_writev) N(memfd_create) N(shmget) N(wait4) N(waitid) N(pidfd_open) N(setsid)
        N(setpgid) N(reboot) N(seccomp) N(bpf) N(io_uring_setup) N(inotify_init1) N(fanotify_init) N(getdents64) N(fcntl) N(prlimit64)
        N(sched_setaffinity)
#if defined(__x86_64__)
        N(fork) N(vfork) N(open) N(creat) N(unlink) N(rename) N(mkdir) N(rmdir) N(chmod) N(chown) N(link) N(symlink) N(pipe)
        N(dup2)
#endif
#undef N
        default: return nullptr;
    }
}

static void refused(int, siginfo_t* info, void*) {
    const char* name = syscall_name(info->si_syscall);
    char call[32];
    if (!name) { snprintf(call, sizeof call, "number %d", info->si_syscall); name = call; }
    // The innermost frame in a kernel binary is the kernel's line (the host asks addr2line); return addresses point
    // past the call, hence the - 1.
    void* frames[64];
    int n = backtrace(frames, 64);
    const char* so = "-";
    uintptr_t off = 0;
    for (int i = 0; i < n; i++) {
        Dl_info dl{};
        if (dladdr(frames[i], &dl) && dl.dli_fname && strstr(dl.dli_fname, "/kernels/")) {
            so = dl.dli_fname; off = (uintptr_t)frames[i] - (uintptr_t)dl.dli_fbase - 1;
            break;
        }
    }
    char line[4400];
    int len = snprintf(line, sizeof line, "refused %d %d %s %#lx %s\n", cur ? (int)cur->core : -1, cur ? (int)cur->proc : -1,
                       name, (unsigned long)off, so);
    if (write(reply_fd, line, len) < 0) {}
    _exit(1);
}

static sock_filter stmt(uint32_t code, uint64_t k) { return sock_filter{(uint16_t)code, 0, 0, (uint32_t)k}; }
static sock_filter jump(uint32_t code, uint64_t k, int jt, int jf) { return sock_filter{(uint16_t)code, (uint8_t)jt, (uint8_t)jf, (uint32_t)k}; }
#define LOAD(field) stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define ARG_LO(i) stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args) + 8 * (i))
#define ALLOW stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define REFUSE stmt(BPF_RET | BPF_K, SECCOMP_RET_TRAP)
#define IS(nr, skip_if_not) jump(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, (skip_if_not))

const char* sandbox_enter(int reply) {
    reply_fd = reply;
    // What the engine (and a kernel's own legitimate code: printf, malloc, threads of the helper pool) needs.
    static const long plain[] = {
        SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_pread64, SYS_pwrite64, SYS_close, SYS_fstat, SYS_newfstatat,
        SYS_statx, SYS_lseek, SYS_mmap, SYS_munmap, SYS_mprotect, SYS_mremap, SYS_madvise, SYS_brk, SYS_futex,
        SYS_sched_yield, SYS_sched_getaffinity, SYS_nanosleep, SYS_clock_nanosleep, SYS_clock_gettime, SYS_gettimeofday,
        SYS_getpid, SYS_gettid, SYS_getppid, SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid, SYS_rt_sigaction,
        SYS_rt_sigprocmask, SYS_rt_sigreturn, SYS_sigaltstack, SYS_exit, SYS_exit_group, SYS_set_robust_list, SYS_rseq,
        SYS_getrandom, SYS_restart_syscall, SYS_membarrier, SYS_uname, SYS_sched_getparam,
        SYS_sched_getscheduler, SYS_getrusage, SYS_times, SYS_set_tid_address, SYS_sysinfo, SYS_clock_getres, SYS_getcpu,
        SYS_getcwd, SYS_flock,
#if defined(__x86_64__)
        SYS_stat, SYS_lstat, SYS_access, SYS_readlink, SYS_time, SYS_arch_prctl,
#endif
        SYS_faccessat, SYS_readlinkat,
    };
    const uint32_t write_flags = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND;
    std::vector<sock_filter> f = {
        LOAD(arch), jump(BPF_JMP | BPF_JEQ | BPF_K, TX_AUDIT_ARCH, 1, 0), REFUSE,
        LOAD(nr),
    };
    for (long nr : plain) { f.push_back(IS(nr, 1)); f.push_back(ALLOW); }
    // openat: for reading only (dlopen opens kernels; glibc reads a few files under /proc and /sys)
    f.push_back(IS(SYS_openat, 4)); f.push_back(ARG_LO(2));
    f.push_back(jump(BPF_JMP | BPF_JSET | BPF_K, write_flags, 1, 0)); f.push_back(ALLOW); f.push_back(REFUSE);
#if defined(__x86_64__)
    f.push_back(LOAD(nr));
    f.push_back(IS(SYS_open, 4)); f.push_back(ARG_LO(1));
    f.push_back(jump(BPF_JMP | BPF_JSET | BPF_K, write_flags, 1, 0)); f.push_back(ALLOW); f.push_back(REFUSE);
#endif
    // clone: threads (the helper pool), never processes; clone3 hides its flags in memory, so glibc is told it does
    // not exist and falls back to clone
    f.push_back(LOAD(nr));
    f.push_back(IS(SYS_clone, 4)); f.push_back(ARG_LO(0));
    f.push_back(jump(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 0, 1)); f.push_back(ALLOW); f.push_back(REFUSE);
    f.push_back(LOAD(nr));
    f.push_back(IS(SYS_clone3, 1)); f.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS));
    // `call` only with its argument `arg` (its low 32 bits) one of `ok`; refused with any other
    auto only_with = [&](long call, int arg, std::vector<uint32_t> ok) {
        int n = (int)ok.size();
        f.push_back(LOAD(nr));
        f.push_back(IS(call, n + 3)); f.push_back(ARG_LO(arg));
        for (int i = 0; i < n; i++) f.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, ok[i], n - i, 0));
        f.push_back(REFUSE); f.push_back(ALLOW);
    };
    // signals: to this process only (abort() raises SIGABRT on itself, which the crash handler reports)
    uint32_t me = (uint32_t)getpid();
    only_with(SYS_kill, 0, {me});
    only_with(SYS_tgkill, 0, {me});
    // fcntl: descriptor flags and locks; never F_SETOWN / F_SETSIG / F_SETOWN_EX, with which a pipe's I/O signals
    // another process (the host) as kill() would
    only_with(SYS_fcntl, 1, {F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_GETLK, F_SETLK, F_SETLKW, F_GETOWN,
                             F_GETSIG, F_DUPFD_CLOEXEC, F_GETPIPE_SZ, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW});
    // prlimit64: the engine's own limits (pid 0 or its pid) only; on the host it would set Python's limits
    only_with(SYS_prlimit64, 0, {0, me});
    // sched_setaffinity: the calling thread's own (pid 0) only; a helper keeps off the engine's thread's processor
    only_with(SYS_sched_setaffinity, 0, {0});
    // ioctl: only asking whether a stream is a terminal (stdio does, for a kernel's printf); never TIOCSTI and the like
    only_with(SYS_ioctl, 1, {TCGETS});
    f.push_back(REFUSE);

    struct sigaction sa{};
    sa.sa_sigaction = refused; sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSYS, &sa, nullptr);
    void* warm[1];
    backtrace(warm, 1);  // loads the unwinder now, not first in the handler
    sock_fprog prog{(unsigned short)f.size(), f.data()};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) return "prctl(PR_SET_NO_NEW_PRIVS) failed";
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog)) return strerror(errno);
    return nullptr;
}
#else
const char* sandbox_enter(int) { return "seccomp filters are Linux's (x86-64 and AArch64 here)"; }
#endif
