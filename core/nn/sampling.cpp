// core/nn/sampling.cpp: (being written for #13)
#include "core/nn/sampling.hpp"
