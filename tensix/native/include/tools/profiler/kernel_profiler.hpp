// tt-metal's device profiler: zones and markers that time kernel code on the chip. The simulator reports cycles per
// thread itself (Run.cycles_by_thread), so a zone has no effect here.
#pragma once

#define DeviceZoneScopedN(name)
#define DeviceZoneScopedMainN(name)
#define DeviceZoneScopedMainChildN(name)
#define DeviceZoneScopedSumN1(name)
#define DeviceZoneScopedSumN2(name)
#define DeviceZoneScopedND(name, nam_var, ...)
#define DeviceZonesTimeSync(...)
#define DeviceValidateProfiler(condition)
#define DeviceZoneSetCounter(counter)
#define DeviceTimestampedData(name, data)
