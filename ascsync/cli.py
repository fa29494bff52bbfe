"""The ``ascsync`` command line: global options and the list of commands.

Commands live in the module of the concept they serve and are loaded lazily, so
``ascsync --version`` stays fast and one broken command cannot break the others.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ascsync.api.client import RetryPolicy

from ascsync import __version__
from ascsync.api.redact import install_log_filter
from ascsync.errors import AscsyncError

APPLE_API_URL = "https://api.appstoreconnect.apple.com"

# name -> "module:attribute" of a click command; order is the order of ``--help``.
COMMANDS: dict[str, str] = {
    "init": "ascsync.commands.repo:init_command",
    "whoami": "ascsync.commands.whoami:whoami_command",
    "validate": "ascsync.commands.repo:validate_command",
    "plan": "ascsync.commands.plan:plan_command",
    "apply": "ascsync.commands.apply:apply_command",
    "pull": "ascsync.commands.pull:pull_command",
    "drift": "ascsync.commands.drift:drift_command",
    "schema": "ascsync.commands.repo:schema_command",
    "import": "ascsync.commands.fastlane:import_group",
    "sandbox": "ascsync.sandbox.cli:sandbox_group",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when used or listed.

    It also turns any :class:`AscsyncError` into one line on stderr and exit code 1, so
    users (and tests driving the group directly) never see a traceback for their mistakes.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except AscsyncError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                return None  # command not built yet
            raise
        command = getattr(module, attr)
        command.name = cmd_name
        return command


class Settings:
    """Global options, handed to every command through ``ctx.obj``."""

    def __init__(
        self,
        api_url: str,
        verbose: bool,
        color: bool,
        credentials: dict[str, str | None],
        retries: int = 5,
        retry_seconds: float = 300.0,
        timeout: float = 60.0,
    ):
        self.api_url = api_url
        self.verbose = verbose
        self.color = color
        self.credentials = credentials
        self.retries = retries
        self.retry_seconds = retry_seconds
        self.timeout = timeout

    def retry_policy(self) -> RetryPolicy:
        from ascsync.api.client import RetryPolicy  # requests loads only for commands that need it

        return RetryPolicy(
            attempts=self.retries + 1,
            total_seconds=self.retry_seconds,
            read_timeout=self.timeout,
            connect_timeout=min(10.0, self.timeout),
        )


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ascsync")
@click.option(
    "--api-url",
    envvar="ASCSYNC_API_URL",
    default=APPLE_API_URL,
    show_default=True,
    help="App Store Connect API base URL (point it at a sandbox to rehearse).",
)
@click.option("--verbose", "-v", is_flag=True, help="Log every API request (secrets redacted).")
@click.option("--no-color", is_flag=True, help="Plain output without ANSI colors.")
@click.option("--key-id", help="API key id (or env ASC_KEY_ID).")
@click.option("--issuer-id", help="Issuer id (or env ASC_ISSUER_ID); omit for an individual key.")
@click.option(
    "--private-key-path",
    help="Path to the .p8 private key (or env ASC_PRIVATE_KEY_PATH / ASC_PRIVATE_KEY).",
)
@click.option(
    "--api-key-json",
    help="fastlane API key JSON file (or env ASC_API_KEY_JSON).",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 20),
    default=5,
    show_default=True,
    envvar="ASCSYNC_RETRIES",
    help="Retries per request after a 429, a 5xx or a dropped connection.",
)
@click.option(
    "--retry-seconds",
    type=click.FloatRange(0),
    default=300.0,
    show_default=True,
    envvar="ASCSYNC_RETRY_SECONDS",
    help="Most time spent waiting between retries of one request.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1),
    default=60.0,
    show_default=True,
    envvar="ASCSYNC_TIMEOUT",
    help="Seconds to wait for an answer before trying again (twice at most).",
)
@click.pass_context
def cli(
    ctx: click.Context,
    api_url: str,
    verbose: bool,
    no_color: bool,
    key_id: str | None,
    issuer_id: str | None,
    private_key_path: str | None,
    api_key_json: str | None,
    retries: int,
    retry_seconds: float,
    timeout: float,
) -> None:
    """Keep your App Store Connect listing in git: validate, plan, apply."""
    _configure_logging(verbose)
    ctx.obj = Settings(
        api_url=api_url.rstrip("/"),
        verbose=verbose,
        color=not no_color,
        credentials={
            "key_id": key_id,
            "issuer_id": issuer_id,
            "private_key_path": private_key_path,
            "api_key_json": api_key_json,
        },
        retries=retries,
        retry_seconds=retry_seconds,
        timeout=timeout,
    )


def _configure_logging(verbose: bool) -> None:
    """ascsync's logs go to stderr through a filter that redacts secrets."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    install_log_filter(handler)
    logger = logging.getLogger("ascsync")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING)
    logger.propagate = False


def main() -> None:
    """Console entry point: user errors become one line on stderr and exit 1."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except AscsyncError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    # With standalone_mode off, click returns the code given to ctx.exit().
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
