// Today's path of mod_div_lib.h (tt_metal/hw/inc/internal/mod_div_lib.h)
#pragma once
#include "mod_div_lib.h"
