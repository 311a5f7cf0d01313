import os


def handler(job):
    # one short write with O_APPEND: lines from both workers never interleave
    fd = os.open(job["input"]["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (job["id"] + "\n").encode())
    finally:
        os.close(fd)
    return {"v": job["input"]["v"]}
