// tt-metal's DPRINT (tt_metal/hw/inc/debug/dprint.h): `DPRINT << "x=" << x << ENDL();` from any kernel. Each line
// reaches the host prefixed with the core and processor that printed it.
#pragma once
#include <cstdint>
#include <cstdio>
#include "tensix_abi.h"

struct ENDL {};
struct HEX {};
struct DEC {};
struct OCT {};
struct FIXED {};
struct DEFAULTFLOAT {};
struct SETW { uint8_t w; SETW(uint8_t w) : w(w) {} };
struct SETPRECISION { uint8_t p; SETPRECISION(uint8_t p) : p(p) {} };
struct BF16 { uint16_t bits; BF16(uint16_t b) : bits(b) {} };
struct F32 { float v; F32(float v) : v(v) {} };
struct U32 { uint32_t v; U32(uint32_t v) : v(v) {} };

struct DebugPrinter {
    TxThread* t = tensix_api->self;
    void text(const char* s, int n) { tensix_api->print(s, n > 0 ? (size_t)n : 0); }
    void integer(unsigned long long v, bool negative) {
        char b[48];
        int n = t->print_hex == 1 ? snprintf(b, sizeof b, "%*llx", t->print_width, v)
              : t->print_hex == 2 ? snprintf(b, sizeof b, "%*llo", t->print_width, v)
              : snprintf(b, sizeof b, negative ? "%*lld" : "%*llu", t->print_width, v);
        t->print_width = 0;  // like std::setw, the width applies to the next value only
        text(b, n);
    }
    void real(double v) {
        char b[64];
        int n = t->print_fixed ? snprintf(b, sizeof b, "%*.*f", t->print_width, t->print_precision ? t->print_precision : 6, v)
                               : snprintf(b, sizeof b, "%*.*g", t->print_width, t->print_precision ? t->print_precision : 6, v);
        t->print_width = 0;
        text(b, n);
    }
};

inline DebugPrinter operator<<(DebugPrinter p, const char* s) { p.text(s, (int)__builtin_strlen(s)); return p; }
inline DebugPrinter operator<<(DebugPrinter p, char c) { p.text(&c, 1); return p; }
inline DebugPrinter operator<<(DebugPrinter p, bool v) { p.integer(v, false); return p; }
inline DebugPrinter operator<<(DebugPrinter p, int v) { p.integer((unsigned long long)(long long)v, v < 0); return p; }
inline DebugPrinter operator<<(DebugPrinter p, long v) { p.integer((unsigned long long)(long long)v, v < 0); return p; }
inline DebugPrinter operator<<(DebugPrinter p, long long v) { p.integer((unsigned long long)v, v < 0); return p; }
inline DebugPrinter operator<<(DebugPrinter p, unsigned v) { p.integer(v, false); return p; }
inline DebugPrinter operator<<(DebugPrinter p, unsigned long v) { p.integer(v, false); return p; }
inline DebugPrinter operator<<(DebugPrinter p, unsigned long long v) { p.integer(v, false); return p; }
inline DebugPrinter operator<<(DebugPrinter p, uint16_t v) { p.integer(v, false); return p; }
inline DebugPrinter operator<<(DebugPrinter p, uint8_t v) { p.integer(v, false); return p; }
inline DebugPrinter operator<<(DebugPrinter p, float v) { p.real(v); return p; }
inline DebugPrinter operator<<(DebugPrinter p, double v) { p.real(v); return p; }
inline DebugPrinter operator<<(DebugPrinter p, F32 v) { p.real(v.v); return p; }
inline DebugPrinter operator<<(DebugPrinter p, U32 v) { p.integer(v.v, false); return p; }
inline DebugPrinter operator<<(DebugPrinter p, BF16 v) {
    uint32_t bits = (uint32_t)v.bits << 16;
    float f;
    __builtin_memcpy(&f, &bits, 4);
    p.real(f);
    return p;
}
inline DebugPrinter operator<<(DebugPrinter p, ENDL) { p.text("\n", 1); return p; }
inline DebugPrinter operator<<(DebugPrinter p, HEX) { p.t->print_hex = 1; return p; }
inline DebugPrinter operator<<(DebugPrinter p, OCT) { p.t->print_hex = 2; return p; }
inline DebugPrinter operator<<(DebugPrinter p, DEC) { p.t->print_hex = 0; return p; }
inline DebugPrinter operator<<(DebugPrinter p, FIXED) { p.t->print_fixed = 1; return p; }
inline DebugPrinter operator<<(DebugPrinter p, DEFAULTFLOAT) { p.t->print_fixed = 0; return p; }
inline DebugPrinter operator<<(DebugPrinter p, SETW w) { p.t->print_width = w.w; return p; }
inline DebugPrinter operator<<(DebugPrinter p, SETPRECISION s) { p.t->print_precision = s.p; return p; }

// Today's format form, DPRINT("x={} y={}\n", x, y) and DEVICE_PRINT (api/debug/device_print.h): each {} takes the
// next argument, {N} argument N, {{ and }} print a brace; a line ends where the format says \n.
template <typename T> void tensix_print_arg(DebugPrinter p, const void* v) { p << *static_cast<const T*>(v); }
template <typename... A>
void tensix_format_print(const char* fmt, const A&... a) {
    DebugPrinter p;
    const void* vals[] = {static_cast<const void*>(&a)..., nullptr};
    void (*prints[])(DebugPrinter, const void*) = {&tensix_print_arg<A>..., nullptr};
    unsigned next = 0;
    const char* run = fmt;
    for (const char* c = fmt;; c++) {
        if (*c && *c != '{' && *c != '}') continue;
        p.text(run, (int)(c - run));
        if (!*c) return;
        if (c[0] == c[1]) { p.text(c, 1); run = ++c + 1; continue; }  // {{ or }}
        if (*c == '}') tensix_api->fail("DPRINT: a lone '}' in the format (write '}}')");
        unsigned i = 0;
        if (c[1] >= '0' && c[1] <= '9') for (c++; *c >= '0' && *c <= '9'; c++) i = i * 10 + (*c - '0');
        else i = next++, c++;
        if (*c != '}') tensix_api->fail("DPRINT: '{' in the format must be followed by '{', '}' or a digit");
        if (i >= sizeof...(A)) tensix_api->fail("DPRINT: the format asks for more arguments than were given");
        prints[i](p, vals[i]);
        run = c + 1;
    }
}
struct DebugPrintCall : DebugPrinter {  // DPRINT << ... and DPRINT(format, ...) both
    template <typename... A> void operator()(const char* fmt, const A&... a) const { tensix_format_print(fmt, a...); }
};
#define DPRINT DebugPrintCall()
#define DPRINT_DATA0(x) if (noc_index == 0) { x; }
#define DPRINT_DATA1(x) if (noc_index == 1) { x; }
// The simulator runs a compute kernel as one thread, not three, so each of these prints once.
#define DPRINT_UNPACK(x) x
#define DPRINT_MATH(x) x
#define DPRINT_PACK(x) x
#include "debug/dprint_tile.h"
