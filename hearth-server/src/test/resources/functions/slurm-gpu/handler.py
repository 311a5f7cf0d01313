import os
import sys
import time


def handler(job):
    say = (job.get("input") or {}).get("say")
    if say:
        print("stdout: " + say)
        print("stderr: " + say, file=sys.stderr)
    time.sleep(float((job.get("input") or {}).get("seconds", 0)))
    return {
        "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
        "gpu_ids": os.environ.get("HEARTH_GPU_IDS"),
        "slurm_job_id": os.environ.get("SLURM_JOB_ID"),
        "node": os.environ.get("SLURMD_NODENAME"),
        "cwd": os.getcwd(),
    }
