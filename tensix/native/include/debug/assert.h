// ASSERT(condition), as tt-metal's: checked only in a watcher build (the WATCHER_ENABLED define, which tt-metal's
// TT_METAL_WATCHER sets; here a kernel's defines={"WATCHER_ENABLED": None}). There a failed ASSERT stops the run with an
// error naming the kernel, its core and the line; elsewhere the condition is not even compiled, as on the chip.
#pragma once
#include <cstdio>
#include "tensix_abi.h"

#if defined(WATCHER_ENABLED)
inline void tensix_assert_failed(const char* condition, int line) {
    char msg[256];
    snprintf(msg, sizeof msg, "ASSERT(%s) failed at line %d of the kernel", condition, line);
    tensix_api->fail(msg);
}
#define ASSERT(condition) do { if (!(condition)) tensix_assert_failed(#condition, __LINE__); } while (0)
#else
#define ASSERT(condition)
#endif
