"""Reports the GPU Hearth placed this worker on."""

import os
import shutil
import subprocess


def _device_name():
    try:
        import torch

        if torch.cuda.is_available():
            return torch.cuda.get_device_name(0)
    except Exception:  # noqa: BLE001 - torch missing or broken: fall back to nvidia-smi
        pass
    if shutil.which("nvidia-smi"):
        try:
            out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                                 capture_output=True, text=True, timeout=10)
            names = [line.strip() for line in out.stdout.splitlines() if line.strip()]
            if out.returncode == 0 and names:
                return names[0]  # the first GPU CUDA_VISIBLE_DEVICES lets this process see
        except (OSError, subprocess.SubprocessError):
            pass
    return None


# Computed once, when the worker starts (module import is the one-time init).
DEVICE_NAME = _device_name()


def handler(job):
    return {
        "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
        "gpu_type": os.environ.get("HEARTH_GPU_TYPE"),
        "gpu_ids": os.environ.get("HEARTH_GPU_IDS"),
        "device_name": DEVICE_NAME,
    }
