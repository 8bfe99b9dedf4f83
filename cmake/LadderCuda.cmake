# The CUDA backend is optional: CUDA stays out of project(); we enable it only when
# check_language finds a working nvcc. CMake 3.25 cannot ask nvcc for C++20 itself.
set(LADDER_WITH_CUDA OFF)
set(LADDER_WITH_CUDA_TEXT "off (no nvcc found)")
if(LADDER_CUDA)
  include(CheckLanguage)
  if(NOT CMAKE_CUDA_HOST_COMPILER)
    set(CMAKE_CUDA_HOST_COMPILER ${CMAKE_CXX_COMPILER} CACHE FILEPATH "Host compiler for nvcc")
  endif()
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    # One CUDA runtime per process: the shared libcudart, which core (CUDA::cudart) and
    # cuBLAS use too. (CMake's default for .cu targets is the static one: two runtimes.)
    set(CMAKE_CUDA_RUNTIME_LIBRARY Shared)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      # With a GPU, its own architecture (`native`, which CMake asks the driver for). Without
      # one the kernels can only be compiled, never run, so one architecture is enough to
      # check them: Hopper's, the GPU `./ladder gpu-bundle` builds for. (Three architectures
      # cost nvcc three device passes per .cu file, a minute of every CI run.)
      execute_process(COMMAND nvidia-smi --query-gpu=compute_cap --format=csv,noheader
                      RESULT_VARIABLE ladder_smi_rc OUTPUT_VARIABLE ladder_smi_caps ERROR_QUIET)
      if(ladder_smi_rc EQUAL 0 AND ladder_smi_caps MATCHES "[0-9]")
        set(CMAKE_CUDA_ARCHITECTURES native CACHE STRING "CUDA architectures")
      else()
        set(CMAKE_CUDA_ARCHITECTURES 90 CACHE STRING "CUDA architectures (no GPU found: compiled, not run)")
      endif()
    endif()
    enable_language(CUDA)
    set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
    set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    set(CMAKE_CUDA_STANDARD 20)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    find_package(CUDAToolkit REQUIRED)
    set(LADDER_WITH_CUDA ON)
    set(LADDER_WITH_CUDA_TEXT "on (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, sm ${CMAKE_CUDA_ARCHITECTURES})")
  endif()
else()
  set(LADDER_WITH_CUDA_TEXT "off (LADDER_CUDA=OFF)")
endif()
