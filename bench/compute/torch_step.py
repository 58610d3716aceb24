"""The same temporal-transformer training step as temporal-step.ts, in PyTorch on CPU.

Usage: python3 torch_step.py THREADS            (serve steps to bench.ts, below)
       python3 torch_step.py THREADS --profile N  (per-op profile of N steps: GEMMs vs the rest)
Prints one JSON line describing the runtime (torch version, threads, the BLAS library actually
mapped into this process and its thread count), then serves steps: for each line read on stdin
it runs one training step and prints one JSON line {"ms": wall, "cpu_ms": process CPU time}.
bench.ts drives it so that its own steps and these alternate (load hits both alike)."""
import ctypes, json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

threads = int(sys.argv[1])
torch.set_num_threads(threads)
torch.manual_seed(1)
B, T, D, H, M, C = 48, 16, 512, 8, 1024, 7


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.qkv = nn.Linear(D, 3 * D, bias=False)
        self.out = nn.Linear(D, D)
        self.fc1, self.fc2 = nn.Linear(D, M), nn.Linear(M, D)

    def forward(self, x):
        b, t, _ = x.shape
        q, k, v = self.qkv(self.norm1(x)).reshape(b, t, 3, H, D // H).permute(2, 0, 3, 1, 4)
        a = torch.softmax(q @ k.transpose(-1, -2) / (D // H) ** 0.5, dim=-1) @ v
        x = x + self.out(a.transpose(1, 2).reshape(b, t, D))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x)), approximate='tanh'))


layer, head = Layer(), nn.Linear(D, C)
cls = nn.Parameter(torch.randn(1, 1, D) * 0.02)
pos = nn.Parameter(torch.randn(1, T + 1, D) * 0.02)
params = list(layer.parameters()) + list(head.parameters()) + [cls, pos]
opt = torch.optim.SGD(params, lr=1e-2, momentum=0.9, weight_decay=1e-4)
x = torch.randn(B, T, D)
y = torch.arange(B) % C


def step():
    opt.zero_grad()
    tokens = torch.cat([cls.expand(B, 1, D), x], 1) + pos
    loss = F.cross_entropy(head(layer(tokens)[:, 0]), y)
    loss.backward()
    opt.step()
    return loss.item()


def blas(threads):
    """The BLAS shared library mapped into this process, and its thread count where it says.
    Debian's torch reports BLAS_INFO=generic whatever libblas.so.3 the alternatives system points at,
    so look at what is loaded (after a GEMM has run, since loading may be lazy). OpenBLAS keeps its
    own thread count (torch.set_num_threads does not change it): set it to `threads` as well."""
    with open('/proc/self/maps') as maps:
        libs = sorted({line.split()[-1] for line in maps if 'blas' in line.rsplit('/', 1)[-1].lower()})
    count = None
    for lib in libs:
        try:
            handle = ctypes.CDLL(lib)
            handle.openblas_set_num_threads(threads)
            count = handle.openblas_get_num_threads()
            break
        except (OSError, AttributeError):
            continue
    return libs, count


def profile(steps):
    """Self CPU time per op and step from torch.autograd.profiler, split into GEMMs (mm, addmm,
    bmm: OpenBLAS) and everything else, to set against profile-step.ts's table of our kernels."""
    for _ in range(3):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    wall = (time.perf_counter() - t0) * 1000 / steps
    with torch.autograd.profiler.profile() as prof:
        for _ in range(steps):
            step()
    rows = sorted(((e.key, e.count / steps, e.self_cpu_time_total / 1000 / steps) for e in prof.key_averages()),
                  key=lambda r: -r[2])
    gemm = sum(ms for name, _, ms in rows if name in ('aten::mm', 'aten::addmm', 'aten::bmm'))
    total = sum(ms for _, _, ms in rows)
    print(f'mean step {wall:.1f} ms wall unprofiled; profiled ops {total:.1f} ms/step: GEMMs (mm, addmm, bmm) {gemm:.1f} ms, '
          f'everything else {total - gemm:.1f} ms')
    print('| op | calls/step | self CPU ms/step |\n|---|---|---|')
    for name, calls, ms in rows:
        if ms >= 0.05:
            print(f'| {name} | {calls:g} | {ms:.2f} |')


if '--profile' in sys.argv:
    step()
    blas(threads)
    profile(int(sys.argv[sys.argv.index('--profile') + 1]))
    sys.exit(0)

step()
libs, blas_threads = blas(threads)
print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blas_libs': libs, 'blas_threads': blas_threads}), flush=True)
for line in sys.stdin:
    if not line.strip():
        continue
    c0, t0 = time.process_time(), time.perf_counter()
    step()
    print(json.dumps({'ms': (time.perf_counter() - t0) * 1000, 'cpu_ms': (time.process_time() - c0) * 1000}), flush=True)
