"""A tqdm progress bar that listens to a search's events (text in a terminal, a widget in Jupyter)."""
from __future__ import annotations


class ProgressBar:
    """Subscribe it to a `Search`: one tick per finished trial; the best accuracy and, with several workers, the
    trials running now in the postfix (tqdm's rate and time left then count all workers together)."""

    def __init__(self, desc: str = "search"):
        self.desc, self.bar = desc, None

    def __call__(self, event) -> None:
        from tqdm.auto import tqdm
        search = event.search
        if event.kind == "search_started":
            desc = self.desc if search.workers == 1 else f"{self.desc} ({search.workers} workers)"
            self.bar = tqdm(total=search.max_trials, desc=desc, unit="trial", dynamic_ncols=True)
        elif event.kind in ("trial_finished", "trial_started") and self.bar is not None:
            if event.kind == "trial_finished":
                self.bar.update(1)
            best = search.best
            shown = f"best {best.val_acc:.2f} %" if best else "no successful trial yet"
            running = len(search.running)
            self.bar.set_postfix_str(shown + (f" · {running} running" if search.workers > 1 else ""))
        elif event.kind in ("search_finished", "search_stopped", "search_failed") and self.bar is not None:
            self.bar.close()
