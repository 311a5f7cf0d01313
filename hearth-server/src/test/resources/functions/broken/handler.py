raise RuntimeError("model weights not found")


def handler(job):
    return None
