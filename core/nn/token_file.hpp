// core/nn/token_file.hpp: (being written for #13)
#pragma once
