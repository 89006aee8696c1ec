// How many threads may work at once: the processors this process may use, or TENSIX_THREADS. Shared by the engine's
// helpers (helper.cpp) and the host library's conversions (host/tiles.cpp).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sched.h>
#include <string>
#include <thread>

// The processors this process may use: its affinity mask, capped by a cgroup CPU quota (cgroup v2 cpu.max, or v1).
inline int usable_cpus() {
    cpu_set_t set;
    int n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : (int)std::thread::hardware_concurrency();
    double quota = 0, period = 0;
    std::string group;
    if (FILE* f = fopen("/proc/self/cgroup", "r")) {  // "0::/path" names the process's cgroup v2
        char line[512];
        while (fgets(line, sizeof line, f))
            if (!strncmp(line, "0::", 3)) { group = line + 3; group.erase(group.find_last_not_of("\n") + 1); }
        fclose(f);
    }
    for (std::string dir : {"/sys/fs/cgroup" + group, std::string("/sys/fs/cgroup")}) {
        if (FILE* f = fopen((dir + "/cpu.max").c_str(), "r")) {
            char q[32] = "";
            if (fscanf(f, "%31s %lf", q, &period) == 2 && strcmp(q, "max")) quota = atof(q);
            fclose(f);
            break;
        }
    }
    if (!quota)
        if (FILE* f = fopen("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "r")) {
            if (fscanf(f, "%lf", &quota) != 1 || quota < 0) quota = 0;
            fclose(f);
            if (FILE* p = fopen("/sys/fs/cgroup/cpu/cpu.cfs_period_us", "r")) { if (fscanf(p, "%lf", &period) != 1) quota = 0; fclose(p); }
        }
    if (quota > 0 && period > 0) n = std::min(n, (int)std::ceil(quota / period));
    return std::max(n, 1);
}

// TENSIX_THREADS if set (results never depend on it), else usable_cpus(); at most 16.
inline int threads_to_use() {
    const char* env = getenv("TENSIX_THREADS");
    int n = env && atoi(env) > 0 ? atoi(env) : usable_cpus();
    return std::min(n, 16);
}
