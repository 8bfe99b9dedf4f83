// core/nn/train.hpp: (being written for #13)
#pragma once
