// core/nn/schedule.cpp: (being written for #13)
#include "core/nn/schedule.hpp"
