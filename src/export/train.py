# train.py, written by `backprop export --pytorch` (webgpu-backprop): the run that exported it, in PyTorch.
# RUN: the seed's two-layer program
#
# The same network, starting weights, data, kind of gradient descent, batches, alpha and schedule,
# printing the same lines. Beside each step: the lesson's numpy line it is, and the WGSL kernel
# (shaders/ in webgpu-backprop) that does it on the GPU there.
#
#   python3 train.py                          one process, float32 (as the GPU computes)
#   python3 train.py --float64                float64 (as `backprop train --cpu` computes)
#   python3 train.py --processes 2            data parallel: 2 processes, DistributedDataParallel on gloo
#   torchrun --nproc_per_node=2 train.py      the same, started by torchrun (a current PyTorch)
#   python3 train.py --json                   one JSON object per logged iteration, as `backprop train --json`
#   python3 train.py --save trained.safetensors   the trained weights, for `backprop train --load`

import argparse
import json
import os
import random
import socket
import struct
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel

HERE = Path(__file__).resolve().parent

# The run, as `backprop export` resolved it.
LAYERS = [3, 4, 1]          # layer sizes, input first (the seed: 3 lights, hidden_size = 4, 1 output)
ACTIVATION = 'relu'         # the hidden layers' activation (the seed's relu)
BIAS = False                # a bias per unit after the input (the seed has none)
LOSS = 'squared'            # 'squared': linear output, Σ (prediction − goal)²; 'softmax': cross-entropy
MODE = 'stochastic'         # stochastic (one example per update), batch, or full (all of them)
BATCH_SIZE = 1              # examples per update
ALPHA = 0.2                 # the seed: alpha = 0.2
ALPHA_DECAY = 1             # alpha · ALPHA_DECAY^epoch in epoch (iteration) epoch
ITERATIONS = 60             # the seed: for iteration in range(60)
LOG_EVERY = 10              # the seed: if(iteration % 10 == 9): print(...), and after the last
SEED = 1                    # np.random.seed(SEED) drew the starting weights in weights_*.npy; also the shuffles
SHUFFLE = False             # a new order of the examples every epoch
SHIFT = 0                   # images moved by up to SHIFT pixels each epoch
IMAGE_WIDTH = 0             # the images' width in pixels (0: not images)
LABELLED = False            # classification data: print accuracies per epoch instead of Error: lines


def make_network():
    # nn.Sequential(Linear, ReLU, Linear, ...): its state_dict names the parameters "0.weight",
    # "0.bias", "2.weight", ... as webgpu-backprop's .safetensors files do.
    activations = {'relu': torch.nn.ReLU, 'sigmoid': torch.nn.Sigmoid, 'tanh': torch.nn.Tanh, 'linear': torch.nn.Identity}
    modules = []
    for l in range(len(LAYERS) - 1):
        modules.append(torch.nn.Linear(LAYERS[l], LAYERS[l + 1], bias=BIAS))
        if l + 2 < len(LAYERS):
            # numpy: layer_1 = relu(np.dot(layer_0, weights_0_1))    WGSL: shaders/relu.wgsl (or matmul_fast's fused epilogue)
            # Its backward is relu2deriv: the delta passes where the output is above 0 (shaders/activate2deriv.wgsl).
            modules.append(activations[ACTIVATION]())
    return torch.nn.Sequential(*modules)


def load_starting_weights(net):
    # weights_0_1.npy is (inputs, outputs) as in numpy, where layer_1 = layer_0.dot(weights_0_1).
    # nn.Linear keeps its transpose, (outputs, inputs), and computes layer_0 @ weight.T: the same product.
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for l, linear in enumerate(linears):
            weights = np.load(HERE / f'weights_{l}_{l + 1}.npy')
            linear.weight.copy_(torch.from_numpy(weights).T)
            if BIAS:
                linear.bias.copy_(torch.from_numpy(np.load(HERE / f'bias_{l}_{l + 1}.npy')).reshape(-1))


def batch_error(output, goal):
    if LOSS == 'squared':
        # numpy: layer_2_error += np.sum((layer_2 - walk_vs_stop[i:i+1]) ** 2)    WGSL: shaders/output_delta.wgsl
        return ((output - goal) ** 2).sum()
    # Softmax and cross-entropy: Σ −goal · log softmax(layer_L)                   WGSL: shaders/softmax_delta.wgsl
    return -(goal * torch.log_softmax(output, dim=1)).sum()


def mersenne_twister(seed):
    # numpy's np.random.seed(seed) state handed to Python's own Mersenne Twister, whose
    # getrandbits(32) is then the next 32-bit number of webgpu-backprop's MT19937 (src/net/mt19937.ts).
    key = np.random.RandomState(seed).get_state()[1]
    rng = random.Random()
    rng.setstate((3, tuple(int(k) for k in key) + (624,), None))
    return rng


def below(rng, n):
    # A uniform whole number in [0, n): 32-bit draws below the largest multiple of n, then modulo.
    if n <= 1:
        return 0
    limit = (2 ** 32 // n) * n
    while True:
        x = rng.getrandbits(32)
        if x < limit:
            return x % n


def epoch_order(epoch, rows):
    # Fisher–Yates, drawn from MT19937 seeded with (SEED + epoch + 1) mod 2³² (src/train/schedule.ts).
    rng = mersenne_twister((SEED + epoch + 1) % 2 ** 32)
    order = list(range(rows))
    for i in range(rows - 1, 0, -1):
        j = below(rng, i + 1)
        order[i], order[j] = order[j], order[i]
    return np.array(order)


def shifted_images(inputs, epoch):
    # Each image moved by (dx, dy), both in [−SHIFT, SHIFT], pixels from outside 0.   WGSL: shaders/gather.wgsl
    rows = inputs.shape[0]
    rng = mersenne_twister(((SEED + epoch + 1) % 2 ** 32) ^ 0x9E3779B9)
    moves = np.array([below(rng, 2 * SHIFT + 1) - SHIFT for _ in range(2 * rows)]).reshape(rows, 2)
    height = inputs.shape[1] // IMAGE_WIDTH
    images = inputs.reshape(rows, height, IMAGE_WIDTH)
    out = np.zeros_like(images)
    for dx in range(-SHIFT, SHIFT + 1):
        for dy in range(-SHIFT, SHIFT + 1):
            these = np.nonzero((moves[:, 0] == dx) & (moves[:, 1] == dy))[0]
            out[these, max(dy, 0):height + min(dy, 0), max(dx, 0):IMAGE_WIDTH + min(dx, 0)] = \
                images[these, max(-dy, 0):height - max(dy, 0), max(-dx, 0):IMAGE_WIDTH - max(dx, 0)]
    return out.reshape(rows, -1)


def correct(output, goal):
    # Rows whose largest output is the goal's class (the first largest, as np.argmax).   WGSL: shaders/accuracy.wgsl
    return int((output.argmax(dim=1) == goal.argmax(dim=1)).sum())


def train(rank, world, args):
    if world > 1:
        # Every process joins the group (MASTER_ADDR and MASTER_PORT say where); gloo runs on CPUs.
        dist.init_process_group('gloo', rank=rank, world_size=world)
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // world))
    dtype = torch.float64 if args.float64 else torch.float32
    net = make_network().to(dtype)
    load_starting_weights(net)
    # With N processes each computes the gradient of its share of a batch; DistributedDataParallel
    # averages them during backward(), so every process makes the same update.
    model = DistributedDataParallel(net) if world > 1 else net
    # Plain gradient descent: weight -= alpha · gradient, no momentum.   WGSL: shaders/update.wgsl
    optimizer = torch.optim.SGD(net.parameters(), lr=ALPHA)

    inputs = np.load(HERE / 'inputs.npy')     # streetlights: what we know, one example per row
    targets = np.load(HERE / 'targets.npy')   # walk_vs_stop: what we want to know
    rows = inputs.shape[0]
    goal_all = torch.from_numpy(targets).to(dtype)
    test = None
    if (HERE / 'test_inputs.npy').exists():
        test = (torch.from_numpy(np.load(HERE / 'test_inputs.npy')).to(dtype), torch.from_numpy(np.load(HERE / 'test_targets.npy')).to(dtype))

    for epoch in range(ITERATIONS):
        alpha = ALPHA * ALPHA_DECAY ** epoch
        for group in optimizer.param_groups:
            group['lr'] = alpha
        order = epoch_order(epoch, rows) if SHUFFLE else np.arange(rows)
        layer_0_all = torch.from_numpy(shifted_images(inputs, epoch) if SHIFT else inputs).to(dtype)
        totals = torch.zeros(2, dtype=torch.float64)   # the epoch's error, and rows classified right
        for start in range(0, rows, BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            mine = torch.from_numpy(np.array_split(batch, world)[rank])   # this process's share of the batch
            layer_0 = layer_0_all[mine]           # numpy: layer_0 = streetlights[i:i+1]
            goal = goal_all[mine]
            # The forward pass: numpy layer_1 = relu(np.dot(layer_0, weights_0_1)); layer_2 = np.dot(layer_1, weights_1_2)
            # WGSL: shaders/matmul.wgsl (teaching plan) or shaders/matmul_fast.wgsl (fast plan).
            output = model(layer_0)
            error = batch_error(output, goal)
            # Backpropagation. The seed's layer_2_delta = layer_2 - goal is the gradient of half the
            # squared error (softmax's softmax - goal is cross-entropy's own), and each weight steps by
            # alpha / rows times the gradient summed over the batch: so backward() runs on that
            # objective. It computes what numpy computes by hand:
            #   layer_1_delta = layer_2_delta.dot(weights_1_2.T) * relu2deriv(layer_1)    shaders/matmul.wgsl, activate2deriv.wgsl
            #   weight_delta  = layer_1.T.dot(layer_2_delta)                              shaders/matmul.wgsl (transposed reads)
            objective = error * (0.5 if LOSS == 'squared' else 1.0) * world / len(batch)
            optimizer.zero_grad()
            objective.backward()
            # numpy: weights_1_2 -= alpha * layer_1.T.dot(layer_2_delta); weights_0_1 -= alpha * layer_0.T.dot(layer_1_delta)
            optimizer.step()
            totals[0] += error.item()
            if LABELLED:
                totals[1] += correct(output.detach(), goal)
        if world > 1:
            dist.all_reduce(totals)   # the whole epoch's error and count, summed over the processes
        if rank == 0 and (epoch % LOG_EVERY == LOG_EVERY - 1 or epoch == ITERATIONS - 1):
            report(epoch, totals, rows, net, test, args)
    if rank == 0 and args.save:
        save_safetensors(net, HERE / args.save if not os.path.isabs(args.save) else Path(args.save))
    if world > 1:
        dist.destroy_process_group()


def shortest(value, float64):
    # The shortest decimal that reads back as the same value: float32 values as float32, as the GPU's.
    return repr(value) if float64 else str(np.float32(value))


def report(epoch, totals, rows, net, test, args):
    error = float(totals[0])
    if not LABELLED:
        if args.json:
            print(json.dumps({'iteration': epoch, 'error': float(shortest(error, args.float64))}, separators=(',', ':')), flush=True)
        else:
            print('Error:' + shortest(error, args.float64), flush=True)   # numpy: print("Error:" + str(layer_2_error))
        return
    line = {'epoch': epoch, 'trainError': error / rows, 'trainAccuracy': float(totals[1]) / rows}
    if test is not None:
        with torch.no_grad():
            output = net(test[0])
            line['testError'] = float(batch_error(output, test[1])) / len(test[0])
            line['testAccuracy'] = correct(output, test[1]) / len(test[0])
    if args.json:
        print(json.dumps(line, separators=(',', ':')), flush=True)
        return
    text = f"epoch {epoch + 1}/{ITERATIONS}: train accuracy {line['trainAccuracy']:.4f} (loss {line['trainError']:.4f})"
    if test is not None:
        text += f", test accuracy {line['testAccuracy']:.4f} (loss {line['testError']:.4f})"
    print(text, flush=True)


def save_safetensors(net, path):
    # The state_dict as .safetensors (float32): an 8-byte header length, a JSON header, the bytes.
    tensors = {name: t.detach().to(torch.float32).contiguous().numpy() for name, t in net.state_dict().items()}
    header, offset = {'__metadata__': {'layers': ','.join(map(str, LAYERS))}}, 0
    for name, t in tensors.items():
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + t.nbytes]}
        offset += t.nbytes
    head = json.dumps(header).encode()
    head += b' ' * (-(8 + len(head)) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(head)) + head + b''.join(t.astype('<f4').tobytes() for t in tensors.values()))


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__ or 'Trains the exported network.')
    parser.add_argument('--processes', type=int, default=1, help='data-parallel processes (DistributedDataParallel on gloo)')
    parser.add_argument('--float64', action='store_true', help='float64, as backprop train --cpu (default float32, as the GPU)')
    parser.add_argument('--json', action='store_true', help='one JSON object per logged iteration')
    parser.add_argument('--save', help='write the trained weights to this .safetensors file')
    args = parser.parse_args()
    if 'RANK' in os.environ and 'WORLD_SIZE' in os.environ:
        # Started by torchrun, which sets RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT for each process.
        train(int(os.environ['RANK']), int(os.environ['WORLD_SIZE']), args)
    elif args.processes > 1:
        os.environ.setdefault('MASTER_ADDR', '127.0.0.1')
        os.environ.setdefault('MASTER_PORT', str(free_port()))
        mp.spawn(train, args=(args.processes, args), nprocs=args.processes)
    else:
        train(0, 1, args)


if __name__ == '__main__':
    try:
        main()
    except BrokenPipeError:
        # The reader went away (python3 train.py | head -2): stop quietly, as the backprop command does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
