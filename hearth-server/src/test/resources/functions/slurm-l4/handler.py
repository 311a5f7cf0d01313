import os
import time


def handler(job):
    time.sleep(float((job.get("input") or {}).get("seconds", 0)))
    return {
        "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
        "gpu_ids": os.environ.get("HEARTH_GPU_IDS"),
        "slurm_job_id": os.environ.get("SLURM_JOB_ID"),
        "node": os.environ.get("SLURMD_NODENAME"),
        "cwd": os.getcwd(),
    }
