// core/nn/loader.cpp: (being written for #13)
#include "core/nn/loader.hpp"
