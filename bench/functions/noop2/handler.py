def handler(job):
    return job["input"]
