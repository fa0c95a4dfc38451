#!/usr/bin/env python3
"""Milliseconds per training step of difflogic's own Python implementation on CPU.

  bench/difflogic_step.py DIFFLOGIC_SOURCE [--neurons 8000 --layers 6 --batch 100 --inputs 784
                          --classes 10 --tau 10 --threads 1 --steps 5]

DIFFLOGIC_SOURCE is a checkout of the public difflogic repository (Felix-Petersen/difflogic). Its
package imports the CUDA extension `difflogic_cuda` at load time, which does not build on a CPU
machine; the Python path never calls it, so an empty module stands in for it. Nothing of
difflogic is copied into lutforge. Needs python3-torch (Debian).
"""
import argparse
import statistics
import sys
import time
import types


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("--neurons", type=int, default=8000)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--inputs", type=int, default=784)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--tau", type=float, default=10.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=5)
    a = ap.parse_args()

    import torch
    torch.set_num_threads(a.threads)
    sys.modules.setdefault("difflogic_cuda", types.ModuleType("difflogic_cuda"))
    sys.path.insert(0, a.source)
    from difflogic import LogicLayer, GroupSum

    torch.manual_seed(1)
    layers = [LogicLayer(a.inputs, a.neurons, device="cpu", implementation="python")]
    for _ in range(a.layers - 1):
        layers.append(LogicLayer(a.neurons, a.neurons, device="cpu", implementation="python"))
    model = torch.nn.Sequential(torch.nn.Flatten(), *layers, GroupSum(a.classes, a.tau))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    x = torch.randint(0, 2, (a.batch, a.inputs)).float()
    y = torch.randint(0, a.classes, (a.batch,))
    model.train()
    times = []
    for s in range(a.steps + 1):
        t0 = time.perf_counter()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if s >= 1:
            times.append(1000 * (time.perf_counter() - t0))
    print("%.1f ms/step (median of %d; batch %d, %d threads)" %
          (statistics.median(times), a.steps, a.batch, a.threads))


if __name__ == "__main__":
    main()
