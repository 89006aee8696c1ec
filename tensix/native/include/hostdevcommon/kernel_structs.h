// Today's home of tt::CBIndex and the other enums host and kernels share: tensix_types.h has them.
#pragma once
#include "tensix_types.h"
