import loader


def handler(job):
    return {"loaded": list(loader.loaded)}
