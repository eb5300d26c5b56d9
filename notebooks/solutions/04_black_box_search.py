"""Solutions to the exercises of 04_black_box_search.ipynb (for instructors; see notebooks/README.md)."""


def expected_best(accuracies, n):
    s = sorted(accuracies)
    m = len(s)
    return sum(value * ((k / m) ** n - ((k - 1) / m) ** n) for k, value in enumerate(s, start=1))


def tournament(population, sample_size, rng):
    return max(rng.sample(population, sample_size), key=lambda trial: trial.val_acc)


def remove_one(population, aging):
    if aging:
        return population[0]
    return min(population, key=lambda trial: trial.val_acc)
