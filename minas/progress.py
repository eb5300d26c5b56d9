"""A tqdm progress bar that listens to a search's events (text in a terminal, a widget in Jupyter)."""
from __future__ import annotations


class ProgressBar:
    """Subscribe it to a `Search`: one tick per finished trial, the best accuracy in the postfix."""

    def __init__(self, desc: str = "search"):
        self.desc, self.bar = desc, None

    def __call__(self, event) -> None:
        from tqdm.auto import tqdm
        search = event.search
        if event.kind == "search_started":
            self.bar = tqdm(total=search.max_trials, desc=self.desc, unit="trial", dynamic_ncols=True)
        elif event.kind == "trial_finished" and self.bar is not None:
            self.bar.update(1)
            best = search.best
            self.bar.set_postfix_str(f"best {best.val_acc:.2f} %" if best else "no successful trial yet")
        elif event.kind in ("search_finished", "search_stopped", "search_failed") and self.bar is not None:
            self.bar.close()
