"""openblas_core.py: which kernels the OpenBLAS loaded in this Python process runs, for the
benchmark peers (scikit-learn, gensim, and later PyTorch): each bench starts its peer with
OPENBLAS_CORETYPE set to ours, and the peer reports what it got, so a comparison between two
different sets of kernels cannot pass unnoticed."""
import ctypes


def openblas_core():
    """The core name of the libopenblas mapped into this process (numpy's), or None."""
    for line in open("/proc/self/maps"):
        path = line.split()[-1]
        if "libopenblas" in path:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return lib.openblas_get_corename().decode()
    return None
