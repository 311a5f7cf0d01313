import os


def handler(job):
    return {
        "pod": os.environ.get("HEARTH_POD"),
        "node": os.environ.get("HEARTH_POD_NODE"),
        "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
        "model": os.environ.get("MODEL"),
        "cwd": os.getcwd(),
    }
