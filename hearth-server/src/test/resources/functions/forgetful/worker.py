"""Takes one job, then forgets it: heartbeats without job_id, as an idle RunPod worker sends them."""
import os
import time
import urllib.request

worker_id = os.environ["RUNPOD_POD_ID"]
headers = {"Authorization": os.environ["RUNPOD_AI_API_KEY"]}
take = os.environ["RUNPOD_WEBHOOK_GET_JOB"].replace("$ID", worker_id) + "&job_in_progress=0"
ping = os.environ["RUNPOD_WEBHOOK_PING"].replace("$RUNPOD_POD_ID", worker_id)
interval = int(os.environ.get("RUNPOD_PING_INTERVAL", "10000")) / 1000.0

taken = False
while not taken:
    with urllib.request.urlopen(urllib.request.Request(take, headers=headers), timeout=60) as r:
        taken = r.status == 200
while True:
    sep = "&" if "?" in ping else "?"
    urllib.request.urlopen(urllib.request.Request(ping + sep + "runpod_version=forgetful", headers=headers),
                           timeout=10).close()
    time.sleep(interval)
