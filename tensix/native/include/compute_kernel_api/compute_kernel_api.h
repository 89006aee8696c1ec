// Today's path to the whole compute kernel API (api/compute/compute_kernel_api.h).
#pragma once
#include <compute_kernel_api.h>
