// core/nn/schedule.hpp: (being written for #13)
#pragma once
