// core/nn/train.cpp: (being written for #13)
#include "core/nn/train.hpp"
