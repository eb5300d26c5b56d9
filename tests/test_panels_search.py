"""The search panel's run controls, progress bar, log and trial table, driven as a user would: clicks
(`Button.click()`) and choices (setting a widget's value). Searches are NAS-Bench-201 lookups, so they are
instant; clicks that must land mid-search are made from a listener at a chosen trial, so tests are exact."""
import math
import re

from minas.estimators.base import Result
from minas.search import Event
from minas.trial import Trial
from widgets import views


def pause_after(panel, n):
    """Click Pause when the n-th trial has finished (in the search's thread, as the user's click would land)."""
    def listener(event):
        if event.kind == "trial_finished" and len(event.search.trials) == n:
            assert panel.controls.pause_button.description == "Pause" and not panel.controls.pause_button.disabled
            panel.controls.pause_button.click()
    panel.subscribe(listener)


def test_pause_step_resume(panel):
    pause_after(panel, 3)
    panel.controls.trials.value = 8
    panel.controls.start_button.click()
    assert panel.wait(30)                                         # returns once paused
    assert panel.status == "paused" and panel.search.paused and len(panel.search.trials) == 3
    assert panel.controls.pause_button.description == "Resume" and not panel.controls.step_button.disabled
    assert panel.controls.start_button.disabled and not panel.controls.stop_button.disabled
    assert "paused" in panel.status_line.value and "paused after 3 trials" in panel.log.value

    panel.controls.step_button.click()
    assert panel.wait(30)
    assert panel.status == "paused" and len(panel.search.trials) == 4   # exactly one more
    panel.controls.step_button.click()
    assert panel.wait(30) and len(panel.search.trials) == 5
    assert "trial 4: " in panel.log.value and "5 / 8 trials" in panel.progress_label.value
    assert math.isclose(panel.progress.value, 5 / 8)

    panel.controls.pause_button.click()                                    # Resume
    assert panel.wait(30)
    assert panel.status == "finished" and len(panel.search.trials) == 8
    assert panel.controls.pause_button.description == "Pause" and panel.controls.pause_button.disabled
    assert panel.controls.step_button.disabled is False and panel.controls.start_button.disabled is False
    assert "resumed" in panel.log.value and "finished: 8 trials" in panel.log.value
    assert panel.progress.value == 1.0 and "budget spent" in panel.progress_label.value


def test_step_before_start_walks_a_search_to_its_end(panel):
    panel.controls.trials.value = 2
    panel.controls.step_button.click()                                     # no search yet: starts one, paused
    assert panel.wait(30)
    assert panel.status == "paused" and len(panel.search.trials) == 1
    assert panel.controls.start_button.disabled and panel.controls.estimator.disabled
    assert "trial 0" in panel.latest.value and "1 / 2 trials" in panel.status_line.value
    panel.controls.step_button.click()                                     # the last trial of the budget ends it
    assert panel.wait(30)
    assert panel.status == "finished" and len(panel.search.trials) == 2 and panel.search.status == "finished"
    assert not panel.controls.start_button.disabled and not panel.controls.estimator.disabled


def test_stop_while_paused(panel):
    pause_after(panel, 2)
    panel.start(trials=50)
    assert panel.wait(30) and panel.status == "paused"
    panel.controls.stop_button.click()
    assert panel.wait(30)
    assert panel.status == "stopped" and len(panel.search.trials) == 2
    assert "stopped after 2 trials" in panel.log.value


def test_progress_and_eta_while_running(panel):
    seen = []
    panel.subscribe(lambda e: e.kind == "trial_finished" and len(e.search.trials) == 5 and
                    seen.append((panel.progress.value, panel.progress_label.value)))
    panel.start(trials=10)
    assert panel.wait(30) and panel.status == "finished"
    fraction, label = seen[0]
    assert fraction == 0.5 and label.startswith("5 / 10 trials · 50% · about ") and label.endswith(" left")


def test_trial_table_sorts_and_a_click_draws_the_row(panel):
    panel.start(trials=12)
    assert panel.wait(30) and panel.status == "finished"
    trials = panel.search.trials
    assert [index for _, index in panel.trial_table.table.options] == list(range(11, -1, -1))   # newest first
    assert "12 trials" in panel.trial_table.head.value and "val acc" in panel.trial_table.head.value

    panel.trial_table.sort.value = "val_acc"
    by_acc = [index for _, index in panel.trial_table.table.options]
    assert [trials[i].val_acc for i in by_acc] == sorted((t.val_acc for t in trials), reverse=True)
    assert by_acc[0] == panel.search.best.index and panel.trial_table.table.value is None   # sorting is no click

    pick = by_acc[5]
    panel.trial_table.table.value = pick                                      # a click on the sixth row
    assert panel.selected == pick
    assert "<svg" in panel.trial_table.drawing.value and f"trial {pick}: {trials[pick].val_acc:.2f} %" in panel.trial_table.drawing.value
    assert str(trials[pick].arch) in panel.trial_table.details.value

    panel.trial_table.sort.value = "params"
    by_params = [index for _, index in panel.trial_table.table.options]
    assert [trials[i].result.params for i in by_params] == sorted(t.result.params for t in trials)
    assert panel.trial_table.table.value == pick and panel.selected == pick   # the choice survives a re-sort


def test_log_is_bounded_and_snapshot_has_everything(monkeypatch, tmp_path):
    monkeypatch.setenv("MINAS_FAST", "1")
    from widgets import SearchPanel
    panel = SearchPanel(log_lines=5)
    panel.start(trials=12)
    assert panel.wait(30) and panel.status == "finished"
    assert len(re.findall(r'<div class="(ok|note|fail)">', panel.log.value)) == 5      # the newest 5 lines
    assert "finished: 12 trials" in panel.log.value
    panel.trial_table.table.value = 3
    page = panel.save_snapshot(tmp_path / "panel.html").read_text()
    assert "data:image/png;base64," in page and page.count("<svg") == 3          # latest, best, selected
    assert "<progress" in page and "12 / 12 trials" in page and "finished: 12 trials" in page


def test_log_line_of_a_failed_trial_names_its_error():
    search = type("S", (), {"trials": [], "best": None})()
    failed = Trial(7, "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", error="ValueError: diverged")
    assert views.log_line(Event("trial_finished", search, failed)) == (
        "fail", "trial 7 failed: ValueError: diverged · |none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    ok = Trial(2, "arch", Result(val_acc=91.234, cost=12.0))
    assert views.log_line(Event("trial_finished", search, ok)) == ("ok", "trial 2: 91.23 % · cost 12.0 s · arch")
    assert views.log_line(Event("trial_started", search, ok)) is None
