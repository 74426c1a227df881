# The ConvNetJS MNIST net in PyTorch (CPU), for `npm run bench`: same layers, Adam, random data of
# MNIST's shape (throughput does not depend on the values). Prints one JSON line.
# Usage: /usr/bin/python3 bench/pytorch_convnetjs.py BATCH EXAMPLES
import json
import sys
import time

import torch
from torch import nn

batch = int(sys.argv[1])
examples = int(sys.argv[2])
torch.manual_seed(0)
net = nn.Sequential(
    nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
    nn.Conv2d(8, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 3),
    nn.Flatten(), nn.Linear(16 * 4 * 4, 10),
)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
x = torch.rand(batch, 1, 24, 24)
y = torch.randint(0, 10, (batch,))
loss_fn = nn.CrossEntropyLoss()


def step():
    opt.zero_grad()
    loss = loss_fn(net(x), y)
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(5):
    step()
steps = max(1, examples // batch)
t = time.perf_counter()
for _ in range(steps):
    step()
sec = time.perf_counter() - t
print(json.dumps({"examplesPerSecond": steps * batch / sec, "threads": torch.get_num_threads(), "version": torch.__version__}))
