// core/nn/params.hpp: (being written for #13)
#pragma once
