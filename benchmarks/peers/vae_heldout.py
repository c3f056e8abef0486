#!/usr/bin/python3
"""Held-out -ELBO of the VAE after 20 epochs, ours against PyTorch's same network (issue 13's quality check).

Run from the project root (needs python3-torch and a built CLI):
  LATENT_CLI="dotnet src/LatentModels.Cli/bin/Release/net10.0/latent.dll" /usr/bin/python3 benchmarks/peers/vae_heldout.py
The 8,000 digits of samples/data are split into the first 7,000 (training) and the last 1,000 (held out). Both sides train
784-200-20 (ReLU, Bernoulli decoder, Adam 1e-3, batch 100) for 20 epochs on 2 threads and report the held-out -ELBO per
row, averaged over 10 draws of the reparameterisation noise. Prints one JSON line.
"""
import gzip, json, os, subprocess, sys, tempfile, time
if os.environ.get('OPENBLAS_CORETYPE') or os.environ.get('OPENBLAS_L2_SIZE'):
    env = {k: v for k, v in os.environ.items() if k not in ('OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE')}
    os.execve(sys.executable, [sys.executable] + sys.argv, env)
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F

EPOCHS, H, Z = int(os.environ.get('EPOCHS', '20')), 200, 20
CLI = os.environ.get('LATENT_CLI', 'dotnet run -c Release --project src/LatentModels.Cli --').split()
b = gzip.open('samples/data/mnist-train8k-images-idx3-ubyte.gz').read()
x = np.frombuffer(b[16:], np.uint8).reshape(-1, 784) / 255.0
train, test = x[:7000], x[7000:]

torch.manual_seed(0); torch.set_num_threads(2)
class VAE(nn.Module):
    def __init__(s):
        super().__init__(); s.e = nn.Linear(784, H); s.mu = nn.Linear(H, Z); s.lv = nn.Linear(H, Z); s.d1 = nn.Linear(Z, H); s.d2 = nn.Linear(H, 784)
    def loss(s, x, reduce=True):
        h = F.relu(s.e(x)); mu, lv = s.mu(h), s.lv(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * lv)
        logits = s.d2(F.relu(s.d1(z)))
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction='none').sum(1)
        kl = -0.5 * torch.sum(1 + lv - mu ** 2 - lv.exp(), 1)
        return ((rec + kl).sum() / len(x)) if reduce else rec + kl
m = VAE(); opt = torch.optim.Adam(m.parameters(), lr=1e-3)
tr = torch.tensor(train, dtype=torch.float32); te = torch.tensor(test, dtype=torch.float32)
t0 = time.perf_counter()
for ep in range(EPOCHS):
    perm = torch.randperm(len(tr))
    for i in range(0, len(tr), 100):
        opt.zero_grad(); l = m.loss(tr[perm[i:i + 100]]); l.backward(); opt.step()
peer_seconds = time.perf_counter() - t0
with torch.no_grad():
    peer_heldout = float(np.mean([m.loss(te, reduce=False).mean().item() for _ in range(10)]))

with tempfile.TemporaryDirectory() as tmp:
    np.savetxt(f'{tmp}/train.csv', train, delimiter=',', fmt='%.9g'); np.savetxt(f'{tmp}/test.csv', test, delimiter=',', fmt='%.9g')
    fit = subprocess.run(CLI + ['fit', 'vae', '--data', f'{tmp}/train.csv', '--hidden', str(H), '--latent', str(Z), '--epochs', str(EPOCHS),
                                '--batch-size', '100', '--learning-rate', '1e-3', '--seed', '0', '--model-out', f'{tmp}/vae.json', '--json'],
                         capture_output=True, text=True, check=True)
    ours_fit = json.loads(fit.stdout.strip().splitlines()[-1])
    draws = []
    for seed in range(10):
        sc = subprocess.run(CLI + ['score', '--model', f'{tmp}/vae.json', '--data', f'{tmp}/test.csv', '--seed', str(seed), '--json'],
                            capture_output=True, text=True, check=True)
        draws.append(json.loads(sc.stdout.strip().splitlines()[-1])['negElbo'])
print(json.dumps(dict(epochs=EPOCHS, peer=f'PyTorch {torch.__version__} CPU', peer_heldout_neg_elbo=peer_heldout, peer_train_seconds=peer_seconds,
                      ours_heldout_neg_elbo=float(np.mean(draws)), ours_train_seconds=ours_fit.get('seconds'),
                      ours_train_neg_elbo=ours_fit.get('trainNegElbo'), heldout_excess=float(np.mean(draws)) - peer_heldout)))
