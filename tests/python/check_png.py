"""Decodes PNGs with train.py's own reader (used where Pillow is missing) and prints their bytes' sums.

Usage: check_png.py EXPORT_DIR PNG...   EXPORT_DIR holds train.py and model.py.
"""
import importlib.util
import json
import os
import sys

folder = sys.argv[1]
sys.path.insert(0, folder)
sys.argv = [sys.argv[0]] + sys.argv[2:]
spec = importlib.util.spec_from_file_location('netwright_train', os.path.join(folder, 'train.py'))
train = importlib.util.module_from_spec(spec)
spec.loader.exec_module(train)
for path in sys.argv[1:]:
    h, w, c, raw = train.read_png(path)
    print(json.dumps({'path': path, 'height': h, 'width': w, 'channels': c, 'sum': sum(raw), 'first': list(raw[:8])}))
