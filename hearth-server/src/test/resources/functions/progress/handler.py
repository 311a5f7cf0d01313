import time

import hearth_worker


def handler(job):
    delay = float((job["input"] or {}).get("delay", 0))
    for step in (1, 2, 3):
        hearth_worker.progress_update(job, {"step": step})
        if delay:
            time.sleep(delay)
    return "done"
