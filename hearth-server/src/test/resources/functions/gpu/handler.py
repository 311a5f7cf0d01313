import os


def handler(job):
    return {
        "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
        "gpu_type": os.environ.get("HEARTH_GPU_TYPE"),
        "gpu_ids": os.environ.get("HEARTH_GPU_IDS"),
    }
