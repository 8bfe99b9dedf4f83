// core/nn/optimizer.cpp: (being written for #13)
#include "core/nn/optimizer.hpp"
