"""The same temporal-transformer training step as temporal-step.ts, in PyTorch on CPU.

Usage: python3 torch_step.py THREADS
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


step()
libs, blas_threads = blas(threads)
print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blas_libs': libs, 'blas_threads': blas_threads}), flush=True)
for line in sys.stdin:
    if not line.strip():
        continue
    c0, t0 = time.process_time(), time.perf_counter()
    step()
    print(json.dumps({'ms': (time.perf_counter() - t0) * 1000, 'cpu_ms': (time.process_time() - c0) * 1000}), flush=True)
