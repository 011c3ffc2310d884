"""The numpy peer of `sparselab bench --peer numpy`.

The same work as sparselab's bench, written plainly in numpy (float32 arrays, preallocated where numpy allows):
the float32 GEMM 2048^3, the minibatch step (H hidden sigmoid units, sigmoid output, squared loss, batch-mean
rate, plain SGD) at a given batch size, and the full-batch `ufldl` objective minimised by scipy's L-BFGS-B
(float32 products, float64 parameters as scipy needs them). bench starts this script once and sends it one
command per line on stdin, alternating with its own timings; every answer is one line on stdout:

    load NAME PATH ROWS COLS      samples: ROWS x COLS little-endian float32      -> ok
    gemm N REPS                   median GFLOP/s of REPS products after warm-up   -> ok GFLOPS
    batch NAME B H EPOCHS         median samples/s of EPOCHS epochs               -> ok SAMPLES_PER_S TRAINED
                                  (the first call for NAME B H trains one warm-up epoch first; later calls
                                  go on training the same weights, as bench's rounds do; TRAINED counts the
                                  epochs these weights have had)
    products NAME B H STEPS       the step's five products alone, as sgd_epochs    -> ok SAMPLES_PER_S
                                  calls them, on B rows of NAME: median of 5 blocks of STEPS steps
    ufldl NAME H ITERS MEMORY [float64]
                                  L-BFGS-B iterations of the ufldl objective     -> ok SECONDS ITERATIONS EVALUATIONS F
                                  (float32 samples and products; with float64, all of it in float64)
    quit

An error answers `error MESSAGE`. The first line is `ready numpy VERSION scipy VERSION|none`.
"""
import sys
import time

import numpy as np

try:
    import scipy
    import scipy.optimize
except ImportError:  # the minibatch figures need numpy only
    scipy = None

F32 = np.float32


def sigmoid_(z):
    """z <- 1 / (1 + exp(-z)), in place."""
    np.negative(z, out=z)
    np.exp(z, out=z)
    z += F32(1)
    np.reciprocal(z, out=z)
    return z


def gemm(n, reps):
    rng = np.random.default_rng(1)
    a = rng.random((n, n), dtype=F32)
    b = rng.random((n, n), dtype=F32)
    c = np.empty((n, n), dtype=F32)
    for _ in range(2):
        np.matmul(a, b, out=c)
    rates = []
    for _ in range(reps):
        t = time.perf_counter()
        np.matmul(a, b, out=c)
        rates.append(2.0 * n ** 3 / (time.perf_counter() - t) / 1e9)
    return float(np.median(rates))


def init(d, h, seed=1):
    bound = np.sqrt(6.0 / (d + h + 1))
    rng = np.random.default_rng(seed)
    w1 = ((2 * rng.random((h, d)) - 1) * bound).astype(F32)
    w2 = ((2 * rng.random((d, h)) - 1) * bound).astype(F32)
    return w1, w2, np.zeros(h, F32), np.zeros(d, F32)


SGD_STATES = {}


def products(x, batch, h, steps):
    """The five products of sgd_epochs' step alone (as it calls them), in samples/s: what the step would reach if
    everything else in it were free."""
    n, d = x.shape
    w1, w2, _, _ = init(d, h)
    xb = np.ascontiguousarray(x[:batch])
    a, y, d3, d2 = np.empty((batch, h), F32), np.empty((batch, d), F32), np.full((batch, d), 0.01, F32), np.empty((batch, h), F32)
    np.matmul(xb, w1.T, out=a)
    rates = []
    for block in range(6):
        t = time.perf_counter()
        for _ in range(steps):
            np.matmul(xb, w1.T, out=a)
            np.matmul(a, w2.T, out=y)
            np.matmul(d3, w2, out=d2)
            g1 = d2.T @ xb
            g2 = d3.T @ a
        if block > 0:
            rates.append(steps * batch / (time.perf_counter() - t))
    return float(np.median(rates))



def sgd_epochs(name, x, batch, h, epochs, lr=0.01, beta=0.1, rho=0.05, eps=1e-6):
    """bench's minibatch step: forward, recon, batch-mean rate, sparse term, backward, SGD; samples/s per epoch."""
    n, d = x.shape
    key = (name, batch, h)
    first = key not in SGD_STATES
    if first:
        SGD_STATES[key] = (init(d, h), np.random.default_rng(2), {}, [0])
    (w1, w2, b1, b2), rng, bufs, trained = SGD_STATES[key]
    beta, rho, eps = F32(beta), F32(rho), F32(eps)
    rates = []
    for epoch in range(epochs + 1 if first else epochs):
        t = time.perf_counter()
        xs = x[rng.permutation(n)]
        recon = 0.0
        for s in range(0, n, batch):
            xb = xs[s:s + batch]
            m = xb.shape[0]
            if m not in bufs:
                bufs[m] = (np.empty((m, h), F32), np.empty((m, d), F32), np.empty((m, d), F32), np.empty((m, h), F32))
            a, y, d3, d2 = bufs[m]
            np.matmul(xb, w1.T, out=a)
            a += b1
            sigmoid_(a)
            np.matmul(a, w2.T, out=y)
            y += b2
            sigmoid_(y)
            np.subtract(y, xb, out=d3)
            flat = d3.ravel()
            recon += 0.5 * float(flat @ flat) / m
            d3 *= y
            d3 *= F32(1) - y
            rh = a.mean(axis=0)
            sp = beta * (-rho / (rh + eps) + (F32(1) - rho) / (F32(1) - rh + eps))
            np.matmul(d3, w2, out=d2)
            d2 += sp
            d2 *= a
            d2 *= F32(1) - a
            step = F32(lr / m)
            w1 -= step * (d2.T @ xb)
            w2 -= step * (d3.T @ a)
            b1 -= step * d2.sum(axis=0)
            b2 -= step * d3.sum(axis=0)
        if epoch > 0 or not first:
            rates.append(n / (time.perf_counter() - t))
        trained[0] += 1
    return float(np.median(rates)), trained[0]


def ufldl(x, h, iters, memory, dtype=F32, beta=3.0, rho=0.1, lam=0.003, eps=1e-6):
    """The ufldl objective (sigmoid units, squared loss, batch-mean KL over all samples, weight decay) and its
    gradient, minimised by L-BFGS-B for `iters` iterations. With dtype float32 (the default) the samples and
    every product are float32, as sparselab's; with float64 everything is float64, as a plain numpy port of the
    recipe is usually written (the samples are converted before the clock starts)."""
    x = x.astype(dtype, copy=False)
    n, d = x.shape
    w1, w2, b1, b2 = init(d, h)
    theta0 = np.concatenate([w1.ravel(), w2.ravel(), b1, b2]).astype(np.float64)
    nw = h * d
    a = np.empty((n, h), dtype)
    y = np.empty((n, d), dtype)
    d3 = np.empty((n, d), dtype)
    d2 = np.empty((n, h), dtype)
    evals = [0]

    def fun(theta):
        evals[0] += 1
        t = theta.astype(dtype, copy=False)
        w1, w2 = t[:nw].reshape(h, d), t[nw:2 * nw].reshape(d, h)
        b1, b2 = t[2 * nw:2 * nw + h], t[2 * nw + h:]
        np.matmul(x, w1.T, out=a)
        np.add(a, b1, out=a)
        sigmoid_(a)
        np.matmul(a, w2.T, out=y)
        np.add(y, b2, out=y)
        sigmoid_(y)
        np.subtract(y, x, out=d3)
        flat = d3.ravel()
        recon = 0.5 * float(np.dot(flat, flat)) / n
        np.multiply(d3, y, out=d3)
        np.multiply(d3, dtype(1) - y, out=d3)
        rh = a.mean(axis=0, dtype=np.float64)
        kl = np.sum(rho * np.log(rho / (rh + eps)) + (1 - rho) * np.log((1 - rho) / (1 - rh + eps)))
        sp = (beta * (-rho / (rh + eps) + (1 - rho) / (1 - rh + eps))).astype(dtype)
        np.matmul(d3, w2, out=d2)
        np.add(d2, sp, out=d2)
        np.multiply(d2, a, out=d2)
        np.multiply(d2, dtype(1) - a, out=d2)
        g = np.empty_like(theta)
        g[:nw] = ((d2.T @ x) / dtype(n) + dtype(lam) * w1).ravel()
        g[nw:2 * nw] = ((d3.T @ a) / dtype(n) + dtype(lam) * w2).ravel()
        g[2 * nw:2 * nw + h] = d2.sum(axis=0, dtype=np.float64) / n
        g[2 * nw + h:] = d3.sum(axis=0, dtype=np.float64) / n
        wsq = float(np.dot(t[:2 * nw].astype(np.float64), t[:2 * nw].astype(np.float64)))
        return recon + 0.5 * lam * wsq + beta * kl, g

    t0 = time.perf_counter()
    r = scipy.optimize.minimize(fun, theta0, jac=True, method="L-BFGS-B",
                                options={"maxiter": iters, "maxcor": memory, "maxfun": 100 * iters, "gtol": 0.0,
                                         "ftol": 0.0})
    return time.perf_counter() - t0, int(r.nit), evals[0], float(r.fun)


def main():
    data = {}
    print("ready numpy %s scipy %s" % (np.__version__, scipy.__version__ if scipy else "none"), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            cmd = words[0]
            if cmd == "quit":
                break
            if cmd == "load":
                rows, cols = int(words[3]), int(words[4])
                data[words[1]] = np.fromfile(words[2], dtype="<f4").reshape(rows, cols).astype(F32)
                print("ok", flush=True)
            elif cmd == "gemm":
                print("ok %.3f" % gemm(int(words[1]), int(words[2])), flush=True)
            elif cmd == "batch":
                print("ok %.3f %d" % sgd_epochs(words[1], data[words[1]], int(words[2]), int(words[3]), int(words[4])), flush=True)
            elif cmd == "products":
                print("ok %.3f" % products(data[words[1]], int(words[2]), int(words[3]), int(words[4])), flush=True)
            elif cmd == "ufldl":
                if scipy is None:
                    print("error scipy is not importable", flush=True)
                    continue
                dtype = np.float64 if len(words) > 5 and words[5] == "float64" else F32
                secs, nit, nfev, f = ufldl(data[words[1]], int(words[2]), int(words[3]), int(words[4]), dtype)
                print("ok %.6f %d %d %.9g" % (secs, nit, nfev, f), flush=True)
            else:
                print("error unknown command " + cmd, flush=True)
        except Exception as e:  # one failed figure must not end the peer
            print("error " + (str(e).replace("\n", " ") or type(e).__name__), flush=True)


if __name__ == "__main__":
    main()
