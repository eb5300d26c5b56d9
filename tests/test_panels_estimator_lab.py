"""The estimator lab: zero-cost proxies and estimators passed in, scored against NAS-Bench-201, side by side.
Networks are tiny (C = 4, 8×8 random inputs), so a proxy takes milliseconds."""
import pytest

from minas.analysis import compare
from minas.estimators import Tabular
from widgets import EstimatorLab


def convs(arch) -> float:
    """A hand-made estimator: more convolutions, better."""
    return float(sum(op.startswith("nor_conv") for op in arch.ops))


@pytest.fixture
def lab(bench, one_thread):
    return EstimatorLab({"convs": convs, "truth itself": Tabular(bench)}, bench=bench, archs=10,
                        input_shape=(3, 8, 8), channels=4, batch_size=8)


def test_choices_offer_the_proxies_and_the_estimators_passed_in(lab, bench):
    assert {"synflow", "snip", "params", "flops", "convs", "truth itself"} <= set(lab.choice.options)
    assert lab.choice.options[:2] == ("convs", "truth itself")                     # those passed in first
    assert lab.choice.value == ("synflow", "params")
    archs, truth = lab.sample(10, seed=0)
    assert len(set(archs)) == 10 and (archs, truth) == lab.sample(10, seed=0)      # distinct, seeded
    assert truth == [bench.query(a)["val_acc"] for a in archs]


def test_run_scores_every_chosen_estimator_side_by_side(lab, tmp_path):
    lab.choice.value = ("params", "convs", "truth itself")
    lab.run_button.click()
    assert lab.status == "running" and lab.choice.disabled
    assert lab.wait(60) and lab.status == "finished" and not lab.choice.disabled
    assert list(lab.results) == ["params", "convs", "truth itself"]
    archs, truth = lab.sample(10, seed=0)
    for name, r in lab.results.items():
        assert r["truth"] == truth and len(r["scores"]) == len(r["seconds"]) == 10
        stats = compare(r["scores"], r["truth"], r["seconds"])
        row = f'<td>{name}</td><td class="num">10</td><td class="num">{stats["kendall_tau"]:.3f}</td>'
        assert row in lab.stats.value
    assert lab.results["convs"]["scores"] == [convs(a) for a in archs]
    assert compare(lab.results["truth itself"]["scores"], truth)["kendall_tau"] == pytest.approx(1.0)
    assert len(lab.images.children) == 3 and all(bytes(i.value).startswith(b"\x89PNG") for i in lab.images.children)
    assert lab.job.progress.value == 1.0 and "3 estimator(s) on 10 architectures" in lab.job.label.value
    page = lab.save_snapshot(tmp_path / "lab.html").read_text()
    assert page.count("data:image/png;base64,") == 3 and "Kendall τ" in page


def test_stop_and_run_again(lab):
    report = lab.job.report

    def stop_at_the_third(fraction, label):
        report(fraction, label)
        if label.startswith("params: 3 /"):
            lab.stop_button.click()

    lab.job.report = stop_at_the_third
    lab.run(choice=("params", "convs"))
    assert lab.wait(60) and lab.status == "stopped"
    assert list(lab.results) == ["params"] and len(lab.results["params"]["scores"]) == 3
    lab.job.report = report
    lab.run(choice=("convs",), archs=5)
    assert lab.wait(60) and lab.status == "finished" and list(lab.results) == ["convs"]
    assert len(lab.images.children) == 1
