#!/usr/bin/env python3
"""Baseline for experiments/bench/torch_score_vs_pytorch.sh: the 13 NAS-Bench-Suite-Zero proxies of one
NAS-Bench-201 architecture computed the usual way in PyTorch, one proxy at a time, each on its own copy of the
network with its own forward/backward passes (as NASLib's find_measures does). Same network, data and proxy
definitions as zcgp's native scorer (docs/proxies.md). Written for timing; scripts/proxy_reference.py also uses its
network and proxies, fed zcgp's batch, as the independent reference pinned in tests/fixtures (docs/proxies.md).

usage: pytorch_proxies.py --arch "(0, 2, 3, 2, 3, 1)" [--batch 64] [--seed 0] [--repeat 1] [--data data]
Prints one JSON line: {"arch", "seconds_per_arch", "proxies": {...}}.
"""
import argparse
import copy
import json
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OPS = ["skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3"]
EDGE_FROM = [0, 0, 0, 1, 1, 2]  # NASLib tuple order: edges listed by source node
EDGE_TO = [1, 2, 3, 2, 3, 3]


class ReLUConvBN(nn.Module):
    def __init__(self, cin, cout, k, stride, pad):
        super().__init__()
        self.op = nn.Sequential(nn.ReLU(inplace=False), nn.Conv2d(cin, cout, k, stride, pad, bias=False),
                                nn.BatchNorm2d(cout))

    def forward(self, x):
        return self.op(x)


class Zero(nn.Module):
    def forward(self, x):
        return x.mul(0.0)


class Cell(nn.Module):
    def __init__(self, ops, c):
        super().__init__()
        layers = []
        for op in ops:
            name = OPS[op]
            if name == "skip_connect":
                layers.append(nn.Identity())
            elif name == "none":
                layers.append(Zero())
            elif name == "nor_conv_3x3":
                layers.append(ReLUConvBN(c, c, 3, 1, 1))
            elif name == "nor_conv_1x1":
                layers.append(ReLUConvBN(c, c, 1, 1, 0))
            else:
                layers.append(nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False))
        self.edges = nn.ModuleList(layers)

    def forward(self, x):
        nodes = [x]
        for node in (1, 2, 3):
            nodes.append(sum(self.edges[e](nodes[EDGE_FROM[e]]) for e in range(6) if EDGE_TO[e] == node))
        return nodes[3]


class Reduction(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv_a = ReLUConvBN(cin, cout, 3, 2, 1)
        self.conv_b = ReLUConvBN(cout, cout, 3, 1, 1)
        self.downsample = nn.Sequential(nn.AvgPool2d(2, 2, 0), nn.Conv2d(cin, cout, 1, 1, 0, bias=False))

    def forward(self, x):
        return self.downsample(x) + self.conv_b(self.conv_a(x))


class Nb201(nn.Module):
    def __init__(self, ops, classes):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16))
        blocks, c = [], 16
        for stage in range(3):
            if stage > 0:
                blocks.append(Reduction(c, 2 * c))
                c *= 2
            blocks += [Cell(ops, c) for _ in range(5)]
        self.cells = nn.Sequential(*blocks)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(inplace=False))
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c, classes)

    def features(self, x):
        return self.lastact(self.cells(self.stem(x)))

    def forward(self, x):
        return self.classifier(self.gap(self.features(x)).flatten(1))


def weight_layers(net):
    return [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def load_batch(data, batch, seed):
    raw = np.fromfile(f"{data}/images/cifar10_test_first20.bin", dtype=np.uint8).reshape(-1, 3073)
    labels = torch.from_numpy(raw[:, 0].astype(np.int64))
    images = torch.from_numpy(raw[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255.0)
    padded = F.pad(images, (4, 4, 4, 4))
    g = np.random.default_rng(seed)
    xs, ys = [], []
    for i in range(batch):
        src = i % len(images)
        dy, dx = g.integers(0, 9, size=2)
        crop = padded[src, :, dy:dy + 32, dx:dx + 32]
        if g.random() < 0.5:
            crop = crop.flip(2)
        xs.append(crop)
        ys.append(labels[src])
    mean = torch.tensor([125.3, 123.0, 113.9]).view(1, 3, 1, 1) / 255
    std = torch.tensor([63.0, 62.1, 66.7]).view(1, 3, 1, 1) / 255
    return (torch.stack(xs) - mean) / std, torch.stack(ys)


# ---- proxies: each takes a fresh copy of the network ----

def p_params(net, x, y):
    return sum(p.numel() for p in net.parameters()) / 1e6


def p_flops(net, x, y):
    total = [0]

    def hook(m, inp, out):
        i = inp[0]
        if isinstance(m, nn.Conv2d):
            total[0] += out.numel() // out.shape[1] * m.kernel_size[0] * m.kernel_size[1] * i.shape[1] * (out.shape[1] // m.groups)
        elif isinstance(m, nn.BatchNorm2d):
            total[0] += i.numel() * (2 if m.affine else 1)
        elif isinstance(m, nn.ReLU):
            total[0] += i.numel()
        elif isinstance(m, nn.AvgPool2d):
            total[0] += out.numel() * m.kernel_size ** 2 if isinstance(m.kernel_size, int) else 0
        elif isinstance(m, nn.AdaptiveAvgPool2d):
            total[0] += i.shape[0] * i.shape[1] * (i.shape[2] + 1) * (i.shape[3] + 1)
        elif isinstance(m, nn.Linear):
            total[0] += i.shape[0] * i.shape[1] * out.shape[1]

    hs = [m.register_forward_hook(hook) for m in net.modules() if len(list(m.children())) == 0]
    net.eval()
    with torch.no_grad():
        net(torch.zeros(1, *x.shape[1:]))
    for h in hs:
        h.remove()
    return total[0] / 1e6


def p_l2_norm(net, x, y):
    return sum(m.weight.norm().item() for m in weight_layers(net))


def grads_of_loss(net, x, y):
    net.zero_grad()
    F.cross_entropy(net(x), y).backward()


def p_grad_norm(net, x, y):
    grads_of_loss(net, x, y)
    return sum(m.weight.grad.norm().item() for m in weight_layers(net))


def p_snip(net, x, y):
    grads_of_loss(net, x, y)
    return sum((m.weight * m.weight.grad).abs().sum().item() for m in weight_layers(net))


def p_plain(net, x, y):
    grads_of_loss(net, x, y)
    return sum((m.weight * m.weight.grad).sum().item() for m in weight_layers(net))


def p_grasp(net, x, y):
    ws = [m.weight for m in weight_layers(net)]
    g = torch.autograd.grad(F.cross_entropy(net(x), y), ws)
    gf = torch.autograd.grad(F.cross_entropy(net(x), y), ws, create_graph=True)
    z = sum((a.detach() * b).sum() for a, b in zip(g, gf))
    hg = torch.autograd.grad(z, ws)
    return sum((-w * h).sum().item() for w, h in zip(ws, hg))


def p_fisher(net, x, y):
    layers = weight_layers(net)
    acts = {}

    def keep(m, inp, out):
        out.retain_grad()
        acts[m] = out

    hs = [m.register_forward_hook(keep) for m in layers]
    net.zero_grad()
    F.cross_entropy(net(x), y).backward()
    for h in hs:
        h.remove()
    total = 0.0
    for m in layers:
        a = acts[m]
        prod = a.detach() * a.grad
        gnk = prod.sum((2, 3)) if prod.dim() > 2 else prod
        total += (0.5 * gnk.pow(2).mean(0)).abs().sum().item() * (m.weight[0].numel())
    return total


def input_jacobian(net, x):
    x = x.clone().requires_grad_(True)
    out = net(x)
    out.backward(torch.ones_like(out))
    return x.grad.flatten(1).double().numpy(), out.shape[1]


def p_jacov(net, x, y):
    j, _ = input_jacobian(net, x)
    v = np.linalg.eigvalsh(np.corrcoef(j))
    return float(-np.sum(np.log(v + 1e-5) + 1.0 / (v + 1e-5)))


def p_epe_nas(net, x, y):
    j, classes = input_jacobian(net, x)
    scores = []
    for c in np.unique(y.numpy()):
        rows = j[y.numpy() == c]
        if len(rows) == 1:
            if classes <= 100:
                scores.append(math.log(1 + 1e-5))
            continue
        s = float(np.sum(np.log(np.abs(np.corrcoef(rows)) + 1e-5)))
        scores.append(s / len(rows) if classes > 100 else s)
    if classes <= 100:
        return float(sum(abs(s) for s in scores))
    return float(sum(abs(a - b) for a in scores for b in scores) / len(scores))


def p_nwot(net, x, y):
    k = torch.zeros(x.shape[0], x.shape[0], dtype=torch.float64)

    def hook(m, inp, out):
        c = (inp[0].flatten(1) > 0).float()
        k.add_((c @ c.t() + (1 - c) @ (1 - c).t()).double())

    hs = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, nn.ReLU)]
    with torch.no_grad():
        net(x)
    for h in hs:
        h.remove()
    return torch.linalg.slogdet(k)[1].item()


def p_synflow(net, x, y):
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.forward = lambda t: t
    with torch.no_grad():
        for p in net.parameters():
            p.abs_()
    net.double()
    net.zero_grad()
    net(torch.ones(1, *x.shape[1:], dtype=torch.float64)).sum().backward()
    s = sum((m.weight * m.weight.grad).abs().sum().item() for m in weight_layers(net))
    return math.log(s) if s > 0 else (0.0 if s == 0 else -math.log(-s))


def p_zen(net, x, y):
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.normal_(m.weight)
                if getattr(m, "bias", None) is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
                m.momentum = 1.0
        a = torch.randn_like(x)
        b = torch.randn_like(x)
        d = (net.features(a) - net.features(a + 0.01 * b)).abs().sum((1, 2, 3)).mean()
        s = math.log(d.item())
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                s += math.log(math.sqrt(m.running_var.mean().item()))
    return s


PROXIES = {"epe_nas": p_epe_nas, "fisher": p_fisher, "flops": p_flops, "grad_norm": p_grad_norm, "grasp": p_grasp,
           "jacov": p_jacov, "l2_norm": p_l2_norm, "nwot": p_nwot, "params": p_params, "plain": p_plain,
           "snip": p_snip, "synflow": p_synflow, "zen": p_zen}


def blas_family():
    """Which BLAS this process's LibTorch calls: "openblas" when OpenBLAS is mapped (Debian's libblas.so.3
    alternative or LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread), "reference" when only another
    libblas.so.3 (netlib) is. Float32 results differ between the two in their last digits."""
    torch.ones(2, 2) @ torch.ones(2, 2)  # LibTorch and its BLAS are loaded by now
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if ".so" in line}
    openblas = any("openblas" in lib for lib in libs)
    other = any(lib.endswith(("/libblas.so.3", "/libblas.so.3.11.0")) and "openblas" not in lib for lib in libs)
    if openblas and other:
        raise SystemExit("both OpenBLAS and another libblas.so.3 are loaded: cannot tell which serves LibTorch")
    return "openblas" if openblas else "reference"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="(0, 2, 3, 2, 3, 1)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--data", default="data")
    args = ap.parse_args()
    ops = [int(t) for t in args.arch.strip("()").split(",")]
    x, y = load_batch(args.data, args.batch, args.seed)
    times, scores = [], {}
    for _ in range(args.repeat):
        start = time.perf_counter()
        torch.manual_seed(args.seed)
        net = Nb201(ops, 10)
        net.train()
        for name, fn in PROXIES.items():
            scores[name] = fn(copy.deepcopy(net), x, y)
        times.append(time.perf_counter() - start)
    print(json.dumps({"arch": args.arch, "batch": args.batch, "threads": torch.get_num_threads(), "blas": blas_family(),
                      "seconds_per_arch": min(times), "seconds_all": times, "proxies": scores}))


if __name__ == "__main__":
    main()
