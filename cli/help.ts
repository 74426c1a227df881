// Help texts. Kept free of imports so `netwright --help` answers without loading TensorFlow.js.

export const TEMPLATE_IDS = ['logistic-regression', 'convnetjs-mnist', 'lenet-5', 'small-alexnet-lcn'] as const;

export const MAIN_HELP = `netwright — train, evaluate and run Netwright convnets without a screen

Usage:
  netwright train <project file | template id> [options]   train on MNIST, save the trained project
  netwright eval <trained project> [--report FILE]          test loss, accuracy and confusion matrix
  netwright predict <trained project> <image|folder>...     class probabilities for PNG/JPEG images
  netwright data <folder|file> [--label COLUMN]             check a dataset: classes, counts, shape, skipped files
  netwright export <trained project> --format F --out DIR   TF.js, ONNX or PyTorch model, or a model card
  netwright patches <trained project> --layer ID --out DIR  top-k image patches of every filter of a layer
  netwright experiment <id> | --list                        run one of the lecture's experiments, report if its claim holds
  netwright <command> --help                                options of a command

Templates: ${TEMPLATE_IDS.join(', ')}
Reports are JSON: written to --report FILE, or to stdout when --report is not given.
Progress and messages go to stderr. Exit codes: 0 done, 1 the run failed, 2 bad arguments,
an invalid network or a broken file, 130 interrupted.
`;

export const TRAIN_HELP = `Usage: netwright train <project file | template id> [options]

Trains the network of a project file (.netwright.json, its settings as the base) or of a template
(default settings) on MNIST, with the same training core as the app, then tests it on the MNIST
test set.

Options:
  --epochs N       passes over the training examples
  --limit N        train on at most N examples per epoch (quick runs)
  --test-limit N   test on the first N test images (default: all 10,000, as eval does)
  --batch N        batch size
  --lr X           learning rate
  --backend NAME   auto (default), wasm or cpu
  --seed N         seed for weights, shuffling and dropout (same seed, same run)
  --data PATH      train on your data instead of MNIST: an image folder, a CSV/TSV, an IDX pair
                   (plain or .gz) or a .npy/.npz (see netwright data --help); the Input block and
                   the classifier take the data's shape and class count when they do not fit
  --label COLUMN   with --data on a table: the label column (default label/class/target, else last)
  --stream         with --data on an image folder: decode it once into a cache file and train
                   from disk in batches (automatic for folders over 256 MiB of files)
  --cache DIR      where the decoded cache goes (default: netwright-data-cache in the temp dir)
  --normalize M    with --data: unit ([0, 1], default), standardize or per-channel (mean/std of
                   the train split, applied in training, eval and predict)
  --out FILE       write the trained project (network, settings, run with curves and weights)
  --report FILE    write the JSON report (testAccuracy, testLoss, trainExamples,
                   examplesPerSecond, backend, seconds, epochs, curves, ...) instead of stdout
  -h, --help       this help

Ctrl-C stops training early; the project and report are still written (test metrics null).
Templates: ${TEMPLATE_IDS.join(', ')}
`;

export const EVAL_HELP = `Usage: netwright eval <trained project> [--data PATH] [--report FILE] [--backend NAME]

Evaluates the project's latest trained run on the whole test set of its dataset (MNIST, or the data
given with --data): testAccuracy, testLoss, testExamples, per-class precision and recall, and the
confusion matrix (confusion[true][predicted]).

Options:
  --data PATH      the run's own dataset (needed when it was trained with --data); checked against
                   the run: the same classes in the same order and the same example shape
  --label, --stream, --cache, --normalize   as for train --data (--normalize defaults to the run's recorded one)
  --report FILE    write the JSON report instead of printing it to stdout
  --backend NAME   auto (default), wasm or cpu
  -h, --help       this help
`;

export const PREDICT_HELP = `Usage: netwright predict <trained project> <image file or folder>... [options]

Class probabilities for each PNG or JPEG image (a folder: its .png/.jpg/.jpeg files, sorted), with
the preprocessing of training: grey or RGB to the model's channels, resized to its input size,
scaled to [0, 1]. MNIST digits are white on black; use --mnist-style for photos or drawings of
dark digits on light paper.

Options:
  --data PATH      the run's own dataset (checked like eval --data): its class names label the
                   predictions and its scale/mean/std are applied as in training
  --label, --stream, --cache, --normalize   as for train --data (--normalize defaults to the run's recorded one)
  --report FILE    write the JSON report ({predictions: [{file, probabilities, class, label}]}) instead of stdout
  --mnist-style    prepare images like MNIST: invert dark-on-light, crop to the ink, fit 20×20,
                   centre by mass in 28×28
  --backend NAME   auto (default), wasm or cpu
  -h, --help       this help
`;

export const DATA_HELP = `Usage: netwright data <folder | file> [--label COLUMN] [--report FILE]

Imports a dataset with the app's parsers and prints its summary: classes with counts, the example
shape, the train/test split, mean and std, warnings, and every skipped file or row with its reason.

Formats: an image folder (one sub-folder per class, optionally under train/ and test/, or images
with an index CSV of file,label), a CSV/TSV table (label column plus numeric features), an IDX pair
(plain or gzipped), a .npy pair or an .npz archive with x and y (or x_train, y_train, x_test, y_test).
Without a test split of its own, 20% of each class is set aside (seeded).

Options:
  --label COLUMN   the label column of a table (name or 0-based index)
  --report FILE    write the JSON summary ({classes, counts, shape, train, test, skipped, ...})
                   instead of printing it to stdout
  -h, --help       this help

Exit code 2 when the data cannot be used (no images, one class, x/y length mismatch, ...).
`;

export const EXPORT_HELP = `Usage: netwright export <trained project> --format tfjs|onnx|pytorch|card --out DIR [--report FILE]

Writes the project's latest trained run (its network and weights) in another format, into DIR
(created if needed; files of the same names are replaced):

  tfjs     model.json + weights.bin for tf.loadLayersModel, netwright-layers.js (register(tf) for the
           custom layers) and a README
  onnx     model.onnx (opset 13, standard operators; input NHWC float32 scaled to [0, 1])
  pytorch  model.py (nn.Module + load_model), model.safetensors, train.py (same optimizer and schedule,
           one process or torchrun / DistributedDataParallel) and a README
  card     MODEL_CARD.md: architecture, parameters, multiply-adds, dataset, settings, metrics, curves

A project without trained weights is refused (exit 2): train it first.

Options:
  --format NAME    tfjs, onnx, pytorch or card
  --out DIR        the folder to write into
  --report FILE    write the JSON report ({format, out, files}) instead of printing it to stdout
  -h, --help       this help
`;

export const PATCHES_HELP = `Usage: netwright patches <trained project> --layer <block id> [--top 9] [--data PATH] --out DIR

For every filter of one layer (a Conv2D, pooling or other block with feature maps) of the project's
latest trained run: the k test images and positions that excite it most (Zeiler & Fergus), found in
one pass over the MNIST test set (or --data's test split), each cropped to the unit's receptive field
(padded at the borders). Writes DIR/patches-<layer>.png (a row per filter, strongest patch first,
one shared grey scale) and DIR/patches-<layer>.json:
  {layer, imagesScanned, top, inputShape, offset, receptiveField,
   filters: [{filter, patches: [{image, x, y, width, height, activation, unit}]}]}
x, y, width, height are the receptive field in model-input pixels (x, y may be negative at the
border); add offset for the dataset image's pixels when the Input block crops (24×24 of MNIST's 28×28).

Options:
  --layer ID       the block id (as shown in the editor, e.g. conv2d_1)
  --top N          patches per filter, 1..64 (default 9; each from a different image)
  --data PATH      look at your dataset's test split instead of MNIST (as netwright train --data)
  --label COLUMN   with --data on a table: the label column
  --limit N        only the first N test images
  --out DIR        where to write the PNG and JSON (created if needed)
  --backend NAME   auto (default), wasm or cpu
  -h, --help       this help
`;

export const EXPERIMENT_HELP = `Usage: netwright experiment <id> [options]
       netwright experiment --list

Runs one experiment of the lecture on MNIST (its runs in order, through the same training core as
the app), then computes whether its claim holds from the runs' numbers. The report (JSON) holds
each run's metrics and curves, the numbers the claim rests on (gradient norms per layer, probe
accuracy per layer, flip rate per epsilon, ...) and "holds". Defaults are cut short to a few
thousand examples per run so an experiment takes a few minutes on a CPU.

Ids: pixels, hand-made-features, linear-collapse, learned-features, vanishing-gradients, tricks,
hidden-features, ensembles, adversarial, sparse-connections, autoencoder (or their numbers 1-11).

Options:
  --list           list the experiments and exit
  --limit N        training examples per run and epoch (default: the experiment's; "all" for all)
  --test-limit N   test images each run is scored on (default: the experiment's)
  --backend NAME   auto (default), wasm or cpu
  --report FILE    write the report there instead of stdout

Exit codes: 0 the experiment ran (whether or not its claim held: see "holds"), 1 a run failed or
the experiment cannot run yet, 2 bad arguments.
`;
