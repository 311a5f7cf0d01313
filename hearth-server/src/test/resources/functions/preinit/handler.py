import os

seen_at_setup = None


def setup():
    global seen_at_setup
    seen_at_setup = os.environ.get("CUDA_VISIBLE_DEVICES")


def handler(job):
    return {
        "pid": os.getpid(),
        "cudaVisibleDevicesAtSetup": seen_at_setup,
        "cudaVisibleDevices": os.environ.get("CUDA_VISIBLE_DEVICES"),
        "gpuIds": os.environ.get("HEARTH_GPU_IDS"),
    }
