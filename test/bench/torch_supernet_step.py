#!/usr/bin/python3
"""
Benchmark twin (PyTorch) of test/bench/supernet-step.ts: one first-order DARTS step = one α step (Adam lr 3e-4,
betas 0.5/0.999, wd 1e-3) on a validation batch + one weight step (SGD lr 0.025, momentum 0.9, wd 3e-4, grad-norm
clip 5) on a training batch, on the darts supernet with C=16, 5 cells (reductions at cells 1 and 3), 4 nodes,
8 operations, batch 32, 28x28x1 input, 10 classes. Random inputs (the step's cost does not depend on the pixels).
It computes what main/engine/search/darts.ts firstOrderStep computes, with PyTorch's own kernels, so a tfjs
backend's images/s can be set against PyTorch's on the same machine (test/bench/backends.ts runs both).

    /usr/bin/python3 test/bench/torch_supernet_step.py [--threads N] [--steps N] [--warmup N] [--batch N]
                                                       [--channels C] [--cells N] [--recompute] [--channels-last]

Prints one JSON line: {backend: "pytorch", torch, threads, space, cells, channels, batch, hw, cin, steps,
sec_per_step, train_images_per_s, weights, ...} (train_images_per_s = batch / sec_per_step, as in
supernet-step.ts; `weights` = number of weight parameters, which must equal supernet-step.ts' `weights`).

The network (Winnow: main/engine/spaces/darts/supernet.ts + operations.ts, DARTS: cnn/model_search.py +
cnn/operations.py), NCHW here:
  stem: 3x3 conv (no bias, padding 1) to 3C + affine BN;
  cells: reductions at cells//3 and 2*cells//3 (channels double there); inputs preprocessed to C channels by
    ReLU-conv1x1-BN, or FactorizedReduce-BN when the previous cell reduced; 4 nodes, node i sums mixed edges from
    the 2 cell inputs and nodes < i; output = concat of the 4 nodes;
  mixed edge: Σ_o softmax(α)_o · o(x) over none, max_pool_3x3, avg_pool_3x3, skip_connect, sep_conv_3x3,
    sep_conv_5x5, dil_conv_3x3, dil_conv_5x5, every BN in a cell affine=False and without running statistics
    (batch statistics, as Winnow's search and DARTS' architect use them);
  head: global average pool + linear (with bias).
As in Winnow: `none` contributes nothing (its α column is still in the softmax), a state's ReLU and its 3x3 pools
are computed once per cell and shared by every edge that reads it (DARTS recomputes them per operation: same
values), the α step differentiates α only and the weight step the weights only (DARTS' reference also computes the
weights' gradients in the α step and discards them). Winnow recomputes each node's forward pass in the backward
pass (nn/recompute.ts, for the wasm heap); PyTorch keeps the intermediates unless --recompute (torch.utils.checkpoint
per node, the same extra forward pass Winnow pays).
"""
import argparse
import json
import resource
import sys
import time

import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

OPS = ['none', 'max_pool_3x3', 'avg_pool_3x3', 'skip_connect', 'sep_conv_3x3', 'sep_conv_5x5', 'dil_conv_3x3', 'dil_conv_5x5']
IDX = {o: i for i, o in enumerate(OPS)}
STEPS = 4
STEM_MULTIPLIER = 3
MULTIPLIER = 4
BN_EPS = 1e-5


def bn(x, gamma=None, beta=None):
    """Training-mode BN over N, H, W; no running statistics (Winnow's nn/bn.ts batchNormTrain)."""
    return F.batch_norm(x, None, None, gamma, beta, training=True, eps=BN_EPS)


class Params:
    """Weight parameters in creation order, initialised as PyTorch's default conv / linear init (U(±1/√fan_in)),
    which is also what Winnow's ParamStore.uniform draws (from its own generator: values differ, distribution not)."""

    def __init__(self):
        self.list = []
        self.names = []

    def uniform(self, name, shape, fan_in):
        bound = 1.0 / fan_in ** 0.5
        p = torch.empty(shape).uniform_(-bound, bound).requires_grad_()
        self.list.append(p)
        self.names.append(name)
        return p

    def constant(self, name, shape, value):
        p = torch.full(shape, float(value)).requires_grad_()
        self.list.append(p)
        self.names.append(name)
        return p

    def numel(self):
        return sum(p.numel() for p in self.list)


def conv1x1(x, w, stride=1):
    return F.conv2d(x, w, stride=stride)


def factorized_reduce(rx, w1, w2):
    """DARTS' FactorizedReduce before its BN, on an already-ReLU'd input: two 1x1 stride-2 convolutions, on x and on
    x shifted by one pixel, concatenated. Odd sizes: the shifted copy is padded at the end (as Winnow's layers.ts
    does; DARTS' own code would fail on them)."""
    H, W = rx.shape[2], rx.shape[3]
    shifted = rx[:, :, 1:, 1:]
    if H % 2 or W % 2:
        shifted = F.pad(shifted, (0, W % 2, 0, H % 2))
    return torch.cat([conv1x1(rx, w1, 2), conv1x1(shifted, w2, 2)], dim=1)


def depthwise(x, w, stride, dilation):
    k = w.shape[2]
    return F.conv2d(x, w, stride=stride, padding=dilation * (k - 1) // 2, dilation=dilation, groups=x.shape[1])


class Edge:
    def __init__(self, p, name, c, stride):
        self.stride = stride

        def sep(k, tag):
            return [p.uniform(f'{name}.{tag}.dw1', [c, 1, k, k], k * k), p.uniform(f'{name}.{tag}.pw1', [c, c, 1, 1], c),
                    p.uniform(f'{name}.{tag}.dw2', [c, 1, k, k], k * k), p.uniform(f'{name}.{tag}.pw2', [c, c, 1, 1], c)]

        def dil(k, tag):
            return [p.uniform(f'{name}.{tag}.dw', [c, 1, k, k], k * k), p.uniform(f'{name}.{tag}.pw', [c, c, 1, 1], c)]

        # same creation order as operations.ts buildEdgeParams
        self.sep3 = sep(3, 'sep_conv_3x3')
        self.sep5 = sep(5, 'sep_conv_5x5')
        self.dil3 = dil(3, 'dil_conv_3x3')
        self.dil5 = dil(5, 'dil_conv_5x5')
        self.reduce = None
        if stride == 2:
            self.reduce = [p.uniform(f'{name}.skip_connect.conv1', [c // 2, c, 1, 1], c),
                           p.uniform(f'{name}.skip_connect.conv2', [c // 2, c, 1, 1], c)]

    def bn_outputs(self, rx, pools):
        """(α column, pre-BN output) of every operation that ends in a BN: the pools, FactorizedReduce (stride 2),
        the separable and dilated convolutions. `rx` = ReLU(x), `pools` = (max, avg) of x at this edge's stride."""
        s = self.stride
        out = [(IDX['max_pool_3x3'], pools[0]), (IDX['avg_pool_3x3'], pools[1])]
        if self.reduce is not None:
            out.append((IDX['skip_connect'], factorized_reduce(rx, *self.reduce)))
        for col, (dw1, pw1, dw2, pw2) in ((IDX['sep_conv_3x3'], self.sep3), (IDX['sep_conv_5x5'], self.sep5)):
            h = bn(conv1x1(depthwise(rx, dw1, s, 1), pw1))
            out.append((col, conv1x1(depthwise(F.relu(h), dw2, 1, 1), pw2)))
        for col, (dw, pw) in ((IDX['dil_conv_3x3'], self.dil3), (IDX['dil_conv_5x5'], self.dil5)):
            out.append((col, conv1x1(depthwise(rx, dw, s, 2), pw)))
        return out


def cell_plan(channels, cells):
    reductions = {cells // 3, (2 * cells) // 3}
    c = channels
    c_pp = c_p = STEM_MULTIPLIER * channels
    reduction_prev = False
    plan = []
    for i in range(cells):
        reduction = i in reductions
        if reduction:
            c *= 2
        plan.append(dict(reduction=reduction, reduction_prev=reduction_prev, c_pp=c_pp, c_p=c_p, c=c))
        reduction_prev = reduction
        c_pp, c_p = c_p, MULTIPLIER * c
    return plan


class Cell:
    def __init__(self, p, name, plan):
        self.plan = plan
        c = plan['c']
        if plan['reduction_prev']:
            self.pre0 = [p.uniform(f'{name}.pre0.conv1', [c // 2, plan['c_pp'], 1, 1], plan['c_pp']),
                         p.uniform(f'{name}.pre0.conv2', [c // 2, plan['c_pp'], 1, 1], plan['c_pp'])]
        else:
            self.pre0 = [p.uniform(f'{name}.pre0.conv', [c, plan['c_pp'], 1, 1], plan['c_pp'])]
        self.pre1 = p.uniform(f'{name}.pre1.conv', [c, plan['c_p'], 1, 1], plan['c_p'])
        self.edges = []
        for node in range(STEPS):
            for j in range(2 + node):
                stride = 2 if plan['reduction'] and j < 2 else 1
                self.edges.append(Edge(p, f'{name}.edges.{len(self.edges)}', c, stride))

    def forward(self, s0, s1, weights, recompute):
        """weights: softmax(α) of this cell type, [14, 8]."""
        if len(self.pre0) == 2:
            s0 = bn(factorized_reduce(F.relu(s0), *self.pre0))
        else:
            s0 = bn(conv1x1(F.relu(s0), self.pre0[0]))
        s1 = bn(conv1x1(F.relu(s1), self.pre1))
        red = self.plan['reduction']

        def prep(x, stride):
            # what every edge reading x shares: ReLU(x) and x's 3x3 pools (parameter-free)
            return (F.relu(x), F.max_pool2d(x, 3, stride, 1), F.avg_pool2d(x, 3, stride, 1, count_include_pad=False))

        states = [s0, s1]
        shared = [prep(s0, 2 if red else 1), prep(s1, 2 if red else 1)]
        offset = 0
        for node in range(STEPS):
            n_in = 2 + node
            edges = self.edges[offset:offset + n_in]
            w = weights[offset:offset + n_in]

            def node_fn(w, *xs, edges=edges, n_in=n_in):
                h = None
                for j, q in enumerate(edges):
                    x, rx, mx, av = xs[4 * j:4 * j + 4]
                    for col, y in q.bn_outputs(rx, (mx, av)):
                        t = w[j, col] * bn(y)
                        h = t if h is None else h + t
                    if q.stride == 1:
                        h = h + w[j, IDX['skip_connect']] * x
                return h

            xs = []
            for j in range(n_in):
                xs.extend([states[j], *shared[j]])
            h = checkpoint(node_fn, w, *xs, use_reentrant=False) if recompute else node_fn(w, *xs)
            states.append(h)
            if node < STEPS - 1:
                shared.append(prep(h, 1))
            offset += n_in
        return torch.cat(states[2:], dim=1)


class DartsSupernet:
    def __init__(self, channels, cells, cin, classes):
        if channels % 2:
            raise ValueError('DARTS needs an even number of channels (FactorizedReduce halves them)')
        self.weights = Params()
        p = self.weights
        c_stem = STEM_MULTIPLIER * channels
        self.stem_w = p.uniform('stem.conv', [c_stem, cin, 3, 3], 9 * cin)
        self.stem_g = p.constant('stem.bn.gamma', [c_stem], 1)
        self.stem_b = p.constant('stem.bn.beta', [c_stem], 0)
        self.cells = [Cell(p, f'cells.{i}', plan) for i, plan in enumerate(cell_plan(channels, cells))]
        last = MULTIPLIER * self.cells[-1].plan['c']
        self.head_w = p.uniform('classifier.w', [classes, last], last)
        self.head_b = p.uniform('classifier.b', [classes], last)
        n_edges = len(self.cells[0].edges)
        self.alpha_normal = (1e-3 * torch.randn(n_edges, len(OPS))).requires_grad_()
        self.alpha_reduce = (1e-3 * torch.randn(n_edges, len(OPS))).requires_grad_()
        self.alphas = [self.alpha_normal, self.alpha_reduce]
        self.recompute = False
        self.memory_format = torch.contiguous_format

    def logits(self, x):
        w_normal = F.softmax(self.alpha_normal, dim=-1)
        w_reduce = F.softmax(self.alpha_reduce, dim=-1)
        x = x.contiguous(memory_format=self.memory_format)
        stem = bn(F.conv2d(x, self.stem_w, padding=1), self.stem_g, self.stem_b)
        s0 = s1 = stem
        for cell in self.cells:
            s0, s1 = s1, cell.forward(s0, s1, w_reduce if cell.plan['reduction'] else w_normal, self.recompute)
        return F.linear(s1.mean(dim=(2, 3)), self.head_w, self.head_b)


def set_trainable(params, on):
    for t in params:
        t.requires_grad_(on)


def gradient_step(net, which, opt, x, labels, clip=None):
    """darts.ts gradientStep: mean cross-entropy, gradients of one parameter set only, the optimiser step, and the
    per-image statistics Winnow reads back for its selection strategies (losses, hits, true-class prob, error norm)."""
    train_w = which == 'weights'
    set_trainable(net.weights.list, train_w)
    set_trainable(net.alphas, not train_w)
    opt.zero_grad(set_to_none=True)
    logits = net.logits(x)
    logp = F.log_softmax(logits, dim=1)
    per_image = -logp.gather(1, labels[:, None])[:, 0]
    loss = per_image.mean()
    loss.backward()
    params = net.weights.list if train_w else net.alphas
    if clip is not None:
        torch.nn.utils.clip_grad_norm_(params, clip)
    opt.step()
    with torch.no_grad():
        p = logp.exp()
        onehot = F.one_hot(labels, logits.shape[1]).to(p.dtype)
        stats = (per_image.detach(), logits.argmax(1) == labels, (p * onehot).sum(1), (p - onehot).square().sum(1).sqrt())
        out = {'loss': float(loss), 'correct': int(stats[1].sum()), 'stats': [s.numpy().copy() for s in stats]}
    return out


def first_order_step(net, opts, train, val):
    v = gradient_step(net, 'alphas', opts['alphas'], *val)
    t = gradient_step(net, 'weights', opts['weights'], *train, clip=5.0)
    return t, v


def main():
    ap = argparse.ArgumentParser(description='PyTorch twin of test/bench/supernet-step.ts (darts space).')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--steps', type=int, default=3)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--channels', type=int, default=16)
    ap.add_argument('--cells', type=int, default=5)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--recompute', action='store_true', help="recompute each node's forward in the backward pass, as Winnow does")
    ap.add_argument('--channels-last', action='store_true', help='NHWC memory format (Winnow/tfjs layout)')
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    hw, cin, classes = 28, 1, 10
    net = DartsSupernet(a.channels, a.cells, cin, classes)
    net.recompute = a.recompute
    if a.channels_last:
        net.memory_format = torch.channels_last
    # shared/search.ts defaults: lr 0.025, momentum 0.9, wd 3e-4, clip 5; α: Adam 3e-4, betas (0.5, 0.999), wd 1e-3
    opts = {
        'weights': torch.optim.SGD(net.weights.list, lr=0.025, momentum=0.9, weight_decay=3e-4),
        'alphas': torch.optim.Adam(net.alphas, lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3),
    }

    def batch_of(seed):
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(a.batch, cin, hw, hw, generator=g)
        labels = torch.tensor([(i * 7 + seed) % classes for i in range(a.batch)], dtype=torch.long)
        return x, labels

    train, val = batch_of(1), batch_of(2)
    for _ in range(a.warmup):
        first_order_step(net, opts, train, val)
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        t, _v = first_order_step(net, opts, train, val)
        times.append(time.perf_counter() - t0)
    sec = sum(times) / len(times)
    print(json.dumps({
        'backend': 'pytorch',
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'space': 'darts',
        'cells': a.cells,
        'channels': a.channels,
        'batch': a.batch,
        'hw': hw,
        'cin': cin,
        'steps': a.steps,
        'sec_per_step': round(sec, 3),
        'train_images_per_s': round(a.batch / sec, 2),
        'weights': net.weights.numel(),
        'alphas': sum(t.numel() for t in net.alphas),
        'step_times': [round(s, 3) for s in times],
        'recompute': a.recompute,
        'channels_last': a.channels_last,
        'train_loss': round(t['loss'], 4),
        'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        'mkldnn': torch.backends.mkldnn.is_available(),
    }))
    sys.stdout.flush()


if __name__ == '__main__':
    main()
