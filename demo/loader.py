from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from demo.models import DemoStep
from demo.steps import STEPS


def load_demo(*, force: bool = False, log: Callable[[str], None] = print) -> list[str]:
    """Run the demo steps not yet loaded at their current version; returns their summaries."""
    done = {s.name: s.version for s in DemoStep.objects.all()}
    summaries = []
    for step in STEPS:
        if not force and done.get(step.name) == step.version:
            continue
        log(f"demo: loading {step.name} …")
        with transaction.atomic():
            summary = step.load_module().load()
            DemoStep.objects.update_or_create(
                name=step.name, defaults={"version": step.version, "summary": summary}
            )
        log(f"demo: {step.name}: {summary}")
        summaries.append(summary)
    return summaries


def demo_info() -> list[str]:
    lines: list[str] = []
    for step in STEPS:
        module = step.load_module()
        info = getattr(module, "info", None)
        if info is not None:
            lines.extend(info())
    return lines
