// core/nn/optimizer.hpp: (being written for #13)
#pragma once
