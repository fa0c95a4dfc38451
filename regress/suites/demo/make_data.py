#!/usr/bin/env python3
"""Writes the demo suite's dataset: 4x4 images in four classes, in MNIST's IDX layout.

  make_data.py OUT_DIR [--train 2000] [--test 300]

Class bit 0 brightens the left half of the image and bit 1 its top half, over uniform noise, so a
neuron that sees a few pixels learns something and no single pixel decides. The generator is
seeded: the same files on every machine.
"""
import argparse
import os
import random
import struct


def write_set(out, prefix, n, seed):
    rng = random.Random(seed)
    pixels, labels = bytearray(), bytearray()
    for _ in range(n):
        y = rng.randrange(4)
        labels.append(y)
        for r in range(4):
            for c in range(4):
                v = rng.randrange(130)
                if y & 1 and c < 2:
                    v += 110
                if y & 2 and r < 2:
                    v += 110
                pixels.append(min(v, 255))
    # IDX: two zero bytes, the element type (8: unsigned byte), the rank, big-endian dimensions.
    with open(os.path.join(out, prefix + "-images-idx3-ubyte"), "wb") as f:
        f.write(bytes([0, 0, 8, 3]) + struct.pack(">III", n, 4, 4) + pixels)
    with open(os.path.join(out, prefix + "-labels-idx1-ubyte"), "wb") as f:
        f.write(bytes([0, 0, 8, 1]) + struct.pack(">I", n) + labels)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--train", type=int, default=2000)
    ap.add_argument("--test", type=int, default=300)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    write_set(a.out, "train", a.train, 11)
    write_set(a.out, "t10k", a.test, 12)


if __name__ == "__main__":
    main()
