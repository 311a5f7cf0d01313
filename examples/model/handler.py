"""A small PyTorch classifier served by Hearth: two-moons points in, classes and probabilities out.

- The weights live in the volume ``model-weights`` (at ``weights/`` in the function's directory). The first worker
  that finds none trains the model (a second or so on a CPU, standing in for a download) and writes them there under
  a temporary name, renamed into place, so that workers starting at the same time never read half a file.
- ``setup()`` runs once per worker before its first job: it loads the weights on the CPU. It must not touch CUDA: a
  pre-initialized process (``scaling.preinit``) runs it before it is given its GPU, and CUDA reads
  ``CUDA_VISIBLE_DEVICES`` once, when it initializes.
- The first job moves the model to the GPU when torch sees one (``torch.cuda.is_available()``), else it stays on the
  CPU (Debian's python3-torch is built without CUDA; a CUDA build of torch on a GPU host runs it there).
"""
import json
import os
import socket
import time

import torch
from torch import nn

WEIGHTS = os.path.join("weights", "moons-mlp.pt")
SEED = 7

model = None
device = None
loaded = {}


def build():
    return nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))


def moons(n, generator):
    """Two interleaving half circles with noise: class 0 on top, class 1 below and shifted."""
    t = torch.rand(n, generator=generator) * torch.pi
    label = torch.randint(0, 2, (n,), generator=generator)
    x = torch.where(label == 0, torch.cos(t), 1 - torch.cos(t))
    y = torch.where(label == 0, torch.sin(t), 0.5 - torch.sin(t))
    points = torch.stack([x, y], dim=1) + 0.1 * torch.randn(n, 2, generator=generator)
    return points, label


def train():
    """What a real deployment would download: trained here so that the example needs no network."""
    g = torch.Generator().manual_seed(SEED)
    torch.manual_seed(SEED)
    points, labels = moons(2000, g)
    net = build()
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(300):
        opt.zero_grad()
        loss = loss_fn(net(points), labels)
        loss.backward()
        opt.step()
    test_points, test_labels = moons(1000, g)
    with torch.no_grad():
        accuracy = (net(test_points).argmax(dim=1) == test_labels).float().mean().item()
    return net, {"accuracy": round(accuracy, 4), "trainedBy": os.environ.get("RUNPOD_POD_ID", socket.gethostname()),
                 "trainedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def setup():
    global model
    if not os.path.exists(WEIGHTS):
        net, info = train()
        tmp = "%s.tmp-%d" % (WEIGHTS, os.getpid())
        torch.save({"state": net.state_dict(), "info": info}, tmp)
        os.replace(tmp, WEIGHTS)  # atomic: a worker starting now reads the old state (none) or the whole file
        print("no weights in the volume: trained them (test accuracy %.3f) and wrote %s" % (info["accuracy"], WEIGHTS))
    saved = torch.load(WEIGHTS, map_location="cpu")
    model = build()
    model.load_state_dict(saved["state"])
    model.eval()
    loaded.update(saved["info"])
    print("loaded %s on the CPU (trained by %s)" % (WEIGHTS, loaded.get("trainedBy")))


def handler(job):
    global device, model
    if model is None:  # run without Hearth's setup (python handler.py): load here
        setup()
    if device is None:  # first job: the GPU, if this worker was given one that torch can use
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = model.to(device)
    points = (job.get("input") or {}).get("points") or [[0.0, 1.0], [1.0, -0.5], [-1.0, 0.0], [2.0, 0.5]]
    with torch.no_grad():
        probs = torch.softmax(model(torch.tensor(points, dtype=torch.float32, device=device)), dim=1).cpu()
    return {
        "classes": probs.argmax(dim=1).tolist(),
        "probabilities": [[round(p, 4) for p in row] for row in probs.tolist()],
        "device": str(device) + (" (%s)" % torch.cuda.get_device_name(device) if device.type == "cuda" else ""),
        "torch": torch.__version__,
        "model": loaded,
    }


if __name__ == "__main__":
    print(json.dumps(handler({"input": {}}), indent=2))
