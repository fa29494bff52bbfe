"""``ascsync completion bash|zsh|fish``: print the shell's completion script.

The script asks ascsync itself what to complete (click's completion protocol, the
``_ASCSYNC_COMPLETE`` variable), so it knows every command, option and choice of the
installed version, and repo paths complete as paths. Install it once:

- bash: ``eval "$(ascsync completion bash)"`` in ``~/.bashrc``
- zsh: ``eval "$(ascsync completion zsh)"`` in ``~/.zshrc`` (after ``compinit``)
- fish: ``ascsync completion fish > ~/.config/fish/completions/ascsync.fish``
"""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

SHELLS = ("bash", "zsh", "fish")
PROGRAM = "ascsync"
COMPLETE_VAR = "_ASCSYNC_COMPLETE"


def script(shell: str) -> str:
    """The completion script ``shell`` sources."""
    from ascsync.cli import cli  # the root command, which completion walks

    completer = get_completion_class(shell)
    if completer is None:  # pragma: no cover - click knows the three SHELLS
        raise click.UsageError(f"no completion for {shell}")
    return completer(cli, {}, PROGRAM, COMPLETE_VAR).source()


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion_command(shell: str) -> None:
    """Print the completion script for bash, zsh or fish (see docs/commands.md).

    bash: eval "$(ascsync completion bash)" in ~/.bashrc; zsh: the same with zsh in
    ~/.zshrc; fish: ascsync completion fish > ~/.config/fish/completions/ascsync.fish
    """
    click.echo(script(shell), nl=False)


__all__ = ["SHELLS", "completion_command", "script"]
