"""The same temporal-transformer training step as temporal-step.ts, in PyTorch on CPU.
Prints one JSON line: {"median_ms": ..., "threads": ...}. Usage: python3 torch_step.py THREADS REPS"""
import json, re, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

threads, reps = int(sys.argv[1]), int(sys.argv[2])
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


for _ in range(3):
    step()
times = []
for _ in range(reps):
    t0 = time.perf_counter()
    step()
    times.append((time.perf_counter() - t0) * 1000)
times.sort()
found = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
blas = found.group(1) if found else "unknown"
print(json.dumps({"median_ms": times[len(times) // 2], "threads": threads, "torch": torch.__version__, "blas": blas}))
