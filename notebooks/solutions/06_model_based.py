"""Solutions to the exercises of 06_model_based.ipynb (for instructors; see notebooks/README.md)."""
import numpy as np


def fit_predictor(X, y):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    X1 = np.hstack([X, np.ones((len(X), 1))])
    w = np.linalg.solve(X1.T @ X1 + 1.0 * np.eye(X1.shape[1]), X1.T @ y)

    def predict(X_new):
        X_new = np.asarray(X_new, dtype=float)
        return np.hstack([X_new, np.ones((len(X_new), 1))]) @ w
    return predict


def thompson_pick(mean, std, k, rng):
    draws = [rng.gauss(m, s) for m, s in zip(mean, std)]
    return sorted(range(len(draws)), key=lambda i: draws[i], reverse=True)[:k]
