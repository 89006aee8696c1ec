// The firmware's circular-buffer interface (internal/circular_buffer_interface.h): get_local_cb_interface.
#pragma once
#include "tensix_types.h"
