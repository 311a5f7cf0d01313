import os

seen_at_setup = None


def setup():
    global seen_at_setup
    seen_at_setup = os.environ.get("CUDA_VISIBLE_DEVICES")


def handler(job):
    return {
        "pid": os.getpid(),
        "worker": os.environ["RUNPOD_POD_ID"],
        "cudaVisibleDevicesAtSetup": seen_at_setup,
        "cudaVisibleDevices": os.environ.get("CUDA_VISIBLE_DEVICES"),
        "gpuIds": os.environ.get("HEARTH_GPU_IDS"),
    }
