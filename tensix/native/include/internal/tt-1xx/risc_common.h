#pragma once
#include "internal/risc_common.h"
