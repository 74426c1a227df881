// The fixed parts of the PyTorch export's Python files (model.py's weight I/O, train.py's
// training loop). Kept as raw strings; pytorch.ts fills in the network and the settings.

/** model.py: safetensors reading and writing without the safetensors package. */
export const PY_SAFETENSORS = String.raw`def read_safetensors(path):
    """Tensors of a .safetensors file (F32 and I64), without the safetensors package."""
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n].decode('utf-8'))
    base = 8 + n
    dtypes = {'F32': torch.float32, 'I64': torch.int64}
    out = {}
    for name, h in header.items():
        if name == '__metadata__':
            continue
        begin, end = h['data_offsets']
        buf = bytearray(data[base + begin:base + end])
        t = torch.frombuffer(buf, dtype=dtypes[h['dtype']]) if buf else torch.zeros(0, dtype=dtypes[h['dtype']])
        out[name] = t.reshape(h['shape']).clone()
    return out


def write_safetensors(path, tensors, metadata=None):
    """Writes float32/int64 tensors as a .safetensors file."""
    names = {torch.float32: 'F32', torch.int64: 'I64'}
    header, chunks, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = {str(k): str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        if t.dtype not in names:
            t = t.float()
        raw = t.numpy().astype(t.numpy().dtype.newbyteorder('<')).tobytes() if t.numel() else b''
        header[name] = {'dtype': names[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    head = json.dumps(header).encode('utf-8')
    head += b' ' * ((8 - len(head) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(head)))
        f.write(head)
        for c in chunks:
            f.write(c)
`;

/** train.py after its settings: data loading, the optimizer and schedule of the app, DDP. */
export const PY_TRAIN = String.raw`
def log(event, **fields):
    if RANK == 0:
        print(json.dumps({'event': event, **fields}), flush=True)


# ---------------------------------------------------------------- images

def read_png(path):
    """8-bit greyscale, grey+alpha, RGB or RGBA PNG (non-interlaced) as (height, width, channels, bytes)."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError(f'{path}: not a PNG file')
    pos, idat, width = 8, b'', None
    while pos < len(data):
        (length,) = struct.unpack('>I', data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            width, height, depth, color, _, _, interlace = struct.unpack('>IIBBBBB', body)
            if depth != 8 or interlace != 0 or color not in (0, 2, 4, 6):
                raise ValueError(f'{path}: only 8-bit non-interlaced PNGs can be read without Pillow')
            channels = {0: 1, 2: 3, 4: 2, 6: 4}[color]
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    out = bytearray(height * stride)
    prev = bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out[y * stride:(y + 1) * stride] = line
        prev = line
    return height, width, channels, bytes(out)


def load_image(path, channels):
    """An image as a uint8 tensor [channels, H, W] (grey or RGB as the model takes, alpha dropped)."""
    try:
        from PIL import Image
        with Image.open(path) as im:
            im = im.convert('L' if channels == 1 else 'RGB')
            h, w = im.height, im.width
            c = 1 if channels == 1 else 3
            t = torch.frombuffer(bytearray(im.tobytes()), dtype=torch.uint8).reshape(h, w, c)
    except ImportError:
        h, w, c, raw = read_png(path)
        t = torch.frombuffer(bytearray(raw), dtype=torch.uint8).reshape(h, w, c)
        if c in (2, 4):
            t = t[:, :, :c - 1]
            c -= 1
        if channels == 1 and c == 3:
            t = t.float().mean(dim=2, keepdim=True).round().to(torch.uint8)
        elif channels == 3 and c == 1:
            t = t.expand(h, w, 3)
    if t.shape[2] != channels:
        raise ValueError(f'{path}: {t.shape[2]} channels, the model takes {channels}')
    return t.permute(2, 0, 1).contiguous()


IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg')


def load_folder(root):
    """An image folder (one subfolder per class, named like the classes) as uint8 images and labels."""
    names = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    if all(n.isdigit() for n in names):
        names.sort(key=int)
    if len(names) != CLASSES:
        raise SystemExit(f'{root}: {len(names)} class folders, the model has {CLASSES} classes')
    images, labels = [], []
    for label, name in enumerate(names):
        folder = os.path.join(root, name)
        for file in sorted(os.listdir(folder)):
            if file.lower().endswith(IMAGE_SUFFIXES):
                images.append(load_image(os.path.join(folder, file), INPUT_SHAPE[0]))
                labels.append(label)
    if not images:
        raise SystemExit(f'{root}: no PNG or JPEG images')
    sizes = {tuple(t.shape) for t in images}
    if len(sizes) != 1:
        raise SystemExit(f'{root}: images of different sizes {sorted(sizes)}')
    _, h, w = images[0].shape
    if h < INPUT_SHAPE[1] or w < INPUT_SHAPE[2]:
        raise SystemExit(f'{root}: images are {h}x{w}, smaller than the model input {INPUT_SHAPE[1]}x{INPUT_SHAPE[2]}')
    return torch.stack(images), torch.tensor(labels), names


def batch(images, labels, idx, crop, generator):
    """Crops to the model input (random offsets while training, centred otherwise) and prepares the pixels
    as the app prepared the run's data (model.preprocess: the recorded scale, mean and std)."""
    x = images[idx]
    _, _, h, w = x.shape
    dy, dx = h - INPUT_SHAPE[1], w - INPUT_SHAPE[2]
    if crop == 'random' and (dy or dx):
        oy = torch.randint(0, dy + 1, (len(idx),), generator=generator)
        ox = torch.randint(0, dx + 1, (len(idx),), generator=generator)
        x = torch.stack([x[i, :, oy[i]:oy[i] + INPUT_SHAPE[1], ox[i]:ox[i] + INPUT_SHAPE[2]] for i in range(len(idx))])
    else:
        x = x[:, :, dy // 2:dy // 2 + INPUT_SHAPE[1], dx // 2:dx // 2 + INPUT_SHAPE[2]]
    return preprocess(x), labels[idx]


# ---------------------------------------------------------------- optimizer and schedule (as the app's)

def make_optimizer(params, cfg):
    lr = cfg['learningRate']
    name = cfg['optimizer']
    if name == 'sgd':
        return torch.optim.SGD(params, lr=lr)
    if name in ('momentum', 'nesterov'):
        return torch.optim.SGD(params, lr=lr, momentum=cfg['momentum'], nesterov=name == 'nesterov')
    if name == 'adagrad':
        return torch.optim.Adagrad(params, lr=lr, initial_accumulator_value=0.1, eps=1e-7)
    if name == 'adadelta':
        return torch.optim.Adadelta(params, lr=lr, rho=0.95, eps=1e-7)
    if name == 'rmsprop':
        return torch.optim.RMSprop(params, lr=lr, alpha=0.9, eps=1e-7)
    if name == 'adam':
        return torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-7)
    raise SystemExit(f'unknown optimizer {name}')


def learning_rate_for_epoch(cfg, epoch, state):
    lr = cfg['learningRate']
    if cfg['schedule'] == 'step':
        cuts = max(0, epoch - 1) // max(1, cfg['stepEvery'])
        return lr if cuts == 0 else max(lr * cfg['stepFactor'] ** cuts, min(cfg['minLearningRate'], lr))
    if cfg['schedule'] == 'cosine':
        if cfg['epochs'] <= 1:
            return lr
        t = min(1.0, max(0.0, (epoch - 1) / (cfg['epochs'] - 1)))
        end = min(cfg['minLearningRate'], lr)
        return end + (lr - end) * (1 + math.cos(math.pi * t)) / 2
    if cfg['schedule'] == 'plateau':
        return state['lr']
    return lr


def after_epoch(cfg, state, epoch, val_loss):
    """Best validation loss, plateau cuts and early stopping, as the app's schedule.ts."""
    if val_loss is None or math.isnan(val_loss):
        return False, False
    best = state['best']
    improved = val_loss < best if math.isinf(best) else val_loss < best - 1e-4 * abs(best)
    if improved:
        state.update(best=val_loss, best_epoch=epoch, bad=0)
    else:
        state['bad'] += 1
        if cfg['schedule'] == 'plateau' and state['bad'] % max(1, cfg['plateauPatience']) == 0:
            state['lr'] = max(state['lr'] * cfg['stepFactor'], min(cfg['minLearningRate'], cfg['learningRate']))
    return improved, cfg['earlyStopping'] and state['bad'] >= cfg['earlyStoppingPatience']


def cross_entropy(probabilities, labels):
    """Mean cross-entropy of softmax outputs, clipped as Keras (and the app) clip them."""
    p = probabilities.clamp(1e-7, 1 - 1e-7)
    return -torch.log(p.gather(1, labels.view(-1, 1))).mean()


# ---------------------------------------------------------------- training

def evaluate(model, images, labels, device, batch_size=256):
    model.eval()
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(labels), batch_size):
            idx = torch.arange(start, min(start + batch_size, len(labels)))
            x, y = batch(images, labels, idx, 'center', None)
            p = model(x.to(device))
            total_loss += cross_entropy(p, y.to(device)).item() * len(idx)
            correct += (p.argmax(1).cpu() == y).sum().item()
    return total_loss / len(labels), correct / len(labels)


def main():
    parser = argparse.ArgumentParser(description='Train the exported Netwright network on an image folder (one subfolder per class; '
                                     'or train/ and test/ folders holding those). Run with torchrun for several processes or machines.')
    parser.add_argument('data', help='image folder')
    parser.add_argument('--epochs', type=int, default=CONFIG['epochs'])
    parser.add_argument('--batch-size', type=int, default=CONFIG['batchSize'], help='global batch size (split across processes)')
    parser.add_argument('--lr', type=float, default=CONFIG['learningRate'])
    parser.add_argument('--limit', type=int, default=CONFIG.get('maxExamples'), help='training examples per epoch')
    parser.add_argument('--seed', type=int, default=CONFIG['seed'])
    parser.add_argument('--init', default=None, help='start from these weights (e.g. model.safetensors) instead of fresh ones')
    parser.add_argument('--out', default='trained.safetensors', help='where to write the trained weights')
    parser.add_argument('--log-every', type=int, default=10, help='log the loss every N steps')
    parser.add_argument('--cpu', action='store_true', help='do not use a GPU')
    args = parser.parse_args()
    cfg = dict(CONFIG, epochs=args.epochs, batchSize=args.batch_size, learningRate=args.lr)

    distributed = WORLD > 1
    cuda = torch.cuda.is_available() and not args.cpu
    if distributed:
        dist.init_process_group('nccl' if cuda else 'gloo')
    device = torch.device(f'cuda:{int(os.environ.get("LOCAL_RANK", 0))}' if cuda else 'cpu')
    torch.manual_seed(args.seed)

    root = args.data
    train_root = os.path.join(root, 'train') if os.path.isdir(os.path.join(root, 'train')) else root
    test_root = os.path.join(root, 'test') if os.path.isdir(os.path.join(root, 'test')) else None
    images, labels, names = load_folder(train_root)
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(args.seed))
    n_val = int(round(len(labels) * cfg['validationSplit']))
    val_idx, train_idx = order[:n_val], order[n_val:]
    per_epoch = min(len(train_idx), args.limit or len(train_idx))
    log('data', train=len(train_idx), validation=n_val, classes=names, processes=WORLD)

    model = NetwrightModel()
    if args.init:
        model.load_state_dict(read_safetensors(args.init))
    model.to(device)
    net = DDP(model) if distributed else model
    decayed = [p for p in model.parameters() if p.dim() >= 2]
    optimizer = make_optimizer(model.parameters(), cfg)
    state = {'lr': cfg['learningRate'], 'best': math.inf, 'best_epoch': 0, 'bad': 0}
    best_weights = None
    local_batch = max(1, math.ceil(cfg['batchSize'] / WORLD))
    step = 0
    for epoch in range(1, cfg['epochs'] + 1):
        lr = learning_rate_for_epoch(cfg, epoch, state)
        for g in optimizer.param_groups:
            g['lr'] = lr
        net.train()
        generator = torch.Generator().manual_seed(args.seed * 1000 + epoch)
        epoch_order = train_idx[torch.randperm(len(train_idx), generator=generator)][:per_epoch]
        mine = epoch_order[RANK::WORLD]
        steps = len(epoch_order[::WORLD]) // local_batch + (1 if len(epoch_order[::WORLD]) % local_batch else 0)
        crop_rng = torch.Generator().manual_seed(args.seed * 7919 + epoch * 31 + RANK)
        sums = torch.zeros(3)
        for i in range(steps):
            idx = mine[i * local_batch:(i + 1) * local_batch]
            if len(idx) == 0:
                idx = mine[:1]
            x, y = batch(images, labels, idx, 'random', crop_rng)
            x, y = x.to(device), y.to(device)
            p = net(x)
            loss = cross_entropy(p, y)
            optimizer.zero_grad()
            loss.backward()
            with torch.no_grad():
                if cfg['weightDecay'] > 0:
                    for w in decayed:
                        w.grad.add_(w, alpha=cfg['weightDecay'])
                grads = [w.grad for w in model.parameters() if w.grad is not None]
                if cfg['clip'] == 'value':
                    for g in grads:
                        g.clamp_(-cfg['clipValue'], cfg['clipValue'])
                elif cfg['clip'] == 'norm':
                    norm = torch.sqrt(sum((g * g).sum() for g in grads))
                    scale = min(1.0, cfg['clipValue'] / norm.item()) if norm.item() > 0 else 1.0
                    for g in grads:
                        g.mul_(scale)
            optimizer.step()
            if not math.isfinite(loss.item()):
                raise SystemExit(f'the loss diverged (NaN) at step {step}; lower the learning rate')
            sums += torch.tensor([loss.item() * len(idx), (p.argmax(1) == y).sum().item(), len(idx)], dtype=torch.float32)
            step += 1
            if args.log_every and step % args.log_every == 0:
                log('step', epoch=epoch, step=step, loss=loss.item())
        if distributed:
            dist.all_reduce(sums)
        val_loss = val_acc = None
        if n_val:
            val_loss, val_acc = evaluate(model, images[val_idx], labels[val_idx], device)
        improved, stop = after_epoch(cfg, state, epoch, val_loss)
        if improved and cfg['earlyStopping']:
            best_weights = {k: v.detach().clone() for k, v in model.state_dict().items()}
        log('epoch', epoch=epoch, lr=lr, train_loss=(sums[0] / sums[2]).item(), train_acc=(sums[1] / sums[2]).item(), val_loss=val_loss, val_acc=val_acc)
        if stop:
            log('early_stop', epoch=epoch, best_epoch=state['best_epoch'])
            break
    if best_weights is not None:
        model.load_state_dict(best_weights)
    if test_root:
        t_images, t_labels, _ = load_folder(test_root)
        test_loss, test_acc = evaluate(model, t_images, t_labels, device)
        log('test', loss=test_loss, accuracy=test_acc, examples=len(t_labels))
    if RANK == 0:
        write_safetensors(args.out, model.state_dict(), {'format': 'pt', 'producer': 'netwright train.py'})
        log('saved', path=args.out)
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
`;
