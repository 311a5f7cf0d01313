def handler(job):
    raise ValueError("boom")
