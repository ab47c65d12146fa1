"""``trilink demo``: the richest end-to-end run that exists on one machine."""

from __future__ import annotations

import click

__all__ = ["demo"]


@click.command()
@click.option("--scenario", default="2017-08-29-hwasong12", show_default=True)
def demo(scenario: str) -> None:
    """Replay a library scenario and summarise what each nation's sensors see."""
    from trilink.scenarios.commands import print_summary

    print_summary(scenario)
