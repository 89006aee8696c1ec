// The *reconfig_data_format* calls live in common.h (the simulator unpacks and packs each buffer in its own format).
#pragma once
#include "compute_kernel_api/common.h"
