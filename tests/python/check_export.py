"""Runs Netwright PyTorch exports with PyTorch (an independent check, driven by tests/unit/export.test.ts).

Usage: check_export.py DIR...   Each DIR holds model.py + model.safetensors (the export) and inputs.bin
(float32, NHWC as the app feeds them, shape in inputs.json). Writes torch-out.bin (float32 probabilities)
into each DIR, and prints one JSON line per DIR.
"""
import importlib.util
import json
import os
import sys

import torch


def run(folder):
    spec = importlib.util.spec_from_file_location(f'netwright_model_{abs(hash(folder))}', os.path.join(folder, 'model.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.load_model(os.path.join(folder, 'model.safetensors'))
    assert not model.training, 'load_model must return the model in eval mode'
    with open(os.path.join(folder, 'inputs.json')) as f:
        shape = json.load(f)['shape']
    with open(os.path.join(folder, 'inputs.bin'), 'rb') as f:
        x = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(shape)
    if x.dim() == 4:
        x = x.permute(0, 3, 1, 2).contiguous()  # NHWC (the app) -> NCHW (model.py)
    with torch.no_grad():
        p = model(x)
    with open(os.path.join(folder, 'torch-out.bin'), 'wb') as f:
        f.write(p.contiguous().numpy().astype('<f4').tobytes())
    return {'dir': folder, 'shape': list(p.shape), 'params': sum(t.numel() for t in model.parameters())}


if __name__ == '__main__':
    torch.set_num_threads(1)
    for d in sys.argv[1:]:
        print(json.dumps(run(d)), flush=True)
