// core/nn/token_file.cpp: (being written for #13)
#include "core/nn/token_file.hpp"
