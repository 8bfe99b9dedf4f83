// core/nn/loader.hpp: (being written for #13)
#pragma once
