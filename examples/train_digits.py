"""A small MLP trained with tinygrad on the TT device, on scikit-learn's 8x8 digits (bundled with scikit-learn, no
download): `pip install -e '.[digits]'`, then `python examples/train_digits.py` (TT) or `... --device CPU` to compare.
Every forward and backward kernel runs as reader, compute and writer kernels on the simulated chip."""
import argparse, time
import numpy as np
import tensix.tinygrad  # noqa: F401  registers device TT
from tinygrad import Tensor, nn
from tinygrad.helpers import Context


def main(device="TT", steps=60, batch=128, seed=0):
    from sklearn.datasets import load_digits
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int32)
    order = np.random.default_rng(seed).permutation(len(x))
    train, test = order[:1500], order[1500:]
    rng = np.random.default_rng(seed)
    # weights drawn here (tinygrad's own random numbers are bit-twiddling kernels the TT backend does not run yet)
    init = lambda *shape: Tensor((rng.uniform(-1, 1, shape) / np.sqrt(shape[-1])).astype(np.float32), device=device)
    w1, b1, w2, b2 = init(32, 64), init(32), init(10, 32), init(10)
    opt = nn.optim.SGD([w1, b1, w2, b2], lr=0.5)
    model = lambda t: (t.linear(w1.T, b1).relu()).linear(w2.T, b2)
    t0 = time.perf_counter()
    with Context(TRAINING=1):
        for step in range(steps):
            idx = rng.choice(train, batch, replace=False)
            xb, yb = Tensor(x[idx], device=device), Tensor(y[idx], device=device)
            opt.zero_grad()
            loss = model(xb).sparse_categorical_crossentropy(yb)
            loss.backward()
            opt.step()
            if step % 20 == 0 or step == steps - 1: print(f"step {step:3d}  loss {loss.item():.3f}")
    pred = model(Tensor(x[test], device=device)).argmax(1).numpy()
    acc = float((pred == y[test]).mean())
    print(f"test accuracy {acc:.3f} on {len(test)} digits, {device}, {time.perf_counter() - t0:.1f} s wall")
    return acc


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="TT")
    ap.add_argument("--steps", type=int, default=60)
    a = ap.parse_args()
    main(a.device, a.steps)
