// Today's DEVICE_PRINT(format, args...) (api/debug/device_print.h): DPRINT's format form, from any kernel; the
// thread-bound variants print once, as the simulator runs a compute kernel as one thread.
#pragma once
#include "debug/dprint.h"
#define DEVICE_PRINT(format, ...) tensix_format_print(format, ##__VA_ARGS__)
#define DEVICE_PRINT_UNPACK(format, ...) tensix_format_print(format, ##__VA_ARGS__)
#define DEVICE_PRINT_MATH(format, ...) tensix_format_print(format, ##__VA_ARGS__)
#define DEVICE_PRINT_PACK(format, ...) tensix_format_print(format, ##__VA_ARGS__)
#define DEVICE_PRINT_DATA0(format, ...) if (noc_index == 0) { tensix_format_print(format, ##__VA_ARGS__); }
#define DEVICE_PRINT_DATA1(format, ...) if (noc_index == 1) { tensix_format_print(format, ##__VA_ARGS__); }
