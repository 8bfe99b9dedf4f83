// core/nn/checkpoint.hpp: (being written for #13)
#pragma once
