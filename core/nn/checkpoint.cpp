// core/nn/checkpoint.cpp: (being written for #13)
#include "core/nn/checkpoint.hpp"
