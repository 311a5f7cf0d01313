"""Returns its input unchanged."""


def handler(job):
    return job["input"]
