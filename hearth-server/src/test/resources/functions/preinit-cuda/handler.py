import os


def setup():
    import pycuda.autoinit  # noqa: F401 - what initializes CUDA in real pycuda code


def handler(job):
    return {"pid": os.getpid(), "cudaVisibleDevices": os.environ.get("CUDA_VISIBLE_DEVICES")}
