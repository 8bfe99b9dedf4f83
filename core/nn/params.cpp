// core/nn/params.cpp: (being written for #13)
#include "core/nn/params.hpp"
