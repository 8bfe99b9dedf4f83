// tests/nn/train_test.cpp: (being written for #13)
#include <catch2/catch.hpp>
