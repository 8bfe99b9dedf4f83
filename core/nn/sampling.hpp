// core/nn/sampling.hpp: (being written for #13)
#pragma once
