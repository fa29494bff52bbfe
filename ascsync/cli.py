"""The ``ascsync`` command line: global options and the list of commands.

Commands live in the module of the concept they serve and are loaded lazily, so
``ascsync --version`` stays fast and one broken command cannot break the others.

Conventions people expect from a command line, kept here for every command at once:

- Global options (``--api-url``, credentials, ``--verbose``, ``--no-color``...) work
  before the command name and after it (``ascsync plan . --no-color``).
- ``NO_COLOR`` (https://no-color.org) turns colours off like ``--no-color``.
- Exit codes mean one thing: 0 success, 1 any error, usage errors included (an unknown
  option, a missing repo); only ``--detailed-exitcode`` makes ``plan`` and ``drift``
  exit 2, for "there are changes", as Terraform does.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

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
    "show": "ascsync.commands.show:show_command",
    "apply": "ascsync.commands.apply:apply_command",
    "pull": "ascsync.commands.pull:pull_command",
    "drift": "ascsync.commands.drift:drift_command",
    "apps": "ascsync.commands.apps:apps_command",
    "schema": "ascsync.commands.repo:schema_command",
    "import": "ascsync.commands.fastlane:import_group",
    "sandbox": "ascsync.sandbox.cli:sandbox_group",
    "one-time-codes": "ascsync.commands.one_time_codes:one_time_codes_command",
    "completion": "ascsync.commands.completion:completion_command",
}

EXIT_USAGE = 1
"""Click exits 2 on a usage error; ascsync keeps 2 for "changes found" (``plan
--detailed-exitcode``), so a typo in an option can never pass for a plan with changes."""


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when used or listed.

    It also turns any :class:`AscsyncError` into one line on stderr and exit code 1, so
    users (and tests driving the group directly) never see a traceback for their mistakes.
    """

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            exc.exit_code = EXIT_USAGE  # type: ignore[misc]  # a ClassVar in the stubs
            raise

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # raised while parsing a subcommand's arguments
            exc.exit_code = EXIT_USAGE  # type: ignore[misc]  # a ClassVar in the stubs
            raise
        except AscsyncError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list with each command's whole first sentence (click cuts it
        to the terminal width with "...", which hid what half the commands do)."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

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
        accept_global_options(command, self)
        return command


def accept_global_options(command: click.Command, root: click.Command) -> None:
    """Let ``command`` (and its subcommands) take the root's options after its name.

    Each global option gets a hidden twin on the command. The twin has no default and
    no environment variable: it acts only when given on the command line, and then
    replaces that one value in the :class:`Settings` the root built (so
    ``ASCSYNC_API_URL=x ascsync plan --api-url y`` uses y). A command's own option of
    the same spelling wins.
    """
    if getattr(command, "_ascsync_globals", False):
        return
    taken = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    for param in root.params:
        if not isinstance(param, click.Option) or param.name in ("version", "help"):
            continue
        if taken & {*param.opts, *param.secondary_opts}:
            continue
        command.params.append(_twin(param))
    if not command.epilog:
        command.epilog = "Global options (see `ascsync --help`) are accepted here too."
    command._ascsync_globals = True  # type: ignore[attr-defined]
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            accept_global_options(sub, root)


def _twin(param: click.Option) -> click.Option:
    needs_value = not param.is_flag
    return click.Option(
        [*param.opts, *param.secondary_opts] if not param.is_flag else list(param.opts),
        type=None if param.is_flag else param.type,
        is_flag=param.is_flag,
        help=param.help,
        hidden=True,
        expose_value=False,
        callback=lambda ctx, twin, value: _override_global(ctx, twin, value, needs_value),
    )


def _override_global(
    ctx: click.Context, twin: click.Parameter, value: object, needs_value: bool
) -> None:
    """A global option given after the command name: rebuild the settings with it."""
    name = twin.name or ""
    if ctx.get_parameter_source(name) is not ParameterSource.COMMANDLINE:
        return
    if needs_value and value is None:  # click 8.5 passes None for `--api-url` at the end
        raise click.BadParameter("needs a value", ctx=ctx, param=twin)
    settings = ctx.find_object(Settings)
    if settings is None:  # the command was invoked on its own (a test): nothing to update
        return
    settings.given[name] = value
    settings.__dict__.update(settings_from(**settings.given).__dict__)


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
        self.given: dict[str, Any] = {}
        """The global options' values as parsed, so one given after the command name can
        replace its value and the settings be built again."""

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
def cli(ctx: click.Context, **given: Any) -> None:
    """Keep your App Store Connect listing in git: validate, plan, apply."""
    ctx.obj = settings_from(**given)


def settings_from(
    *,
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
) -> Settings:
    """The settings for the global options' values (logging is configured on the way)."""
    _configure_logging(verbose)
    settings = Settings(
        api_url=api_url.rstrip("/"),
        verbose=verbose,
        color=not no_color and not no_color_env(),
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
    settings.given = {
        "api_url": api_url,
        "verbose": verbose,
        "no_color": no_color,
        "key_id": key_id,
        "issuer_id": issuer_id,
        "private_key_path": private_key_path,
        "api_key_json": api_key_json,
        "retries": retries,
        "retry_seconds": retry_seconds,
        "timeout": timeout,
    }
    return settings


def no_color_env() -> bool:
    """``NO_COLOR`` set to anything but the empty string means no colour (no-color.org)."""
    return bool(os.environ.get("NO_COLOR"))


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
    except click.UsageError as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
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
