"""The ``dutydesk`` command: run the demo, the web server, the worker, and admin tasks.

    dutydesk demo                  SQLite under ./var, migrations, demo data, web + worker
    dutydesk serve                 production web server (gunicorn); no migrations
    dutydesk worker                background worker (Huey consumer)
    dutydesk manage ARGS...        any Django management command
    dutydesk token create --user EMAIL
    dutydesk seed-demo             demo data into an already migrated database

Production deploys run ``dutydesk manage migrate`` once per release, then start any
number of ``dutydesk serve`` and ``dutydesk worker`` processes (only one worker with
periodic tasks; the others with ``--no-periodic``).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

PROG = "dutydesk"
Login = tuple[str, str, str]  # (role, email, password)
STOP_TIMEOUT_SECONDS = 10.0


# --- environment and Django -----------------------------------------------------------


def _configure_env(data_dir: str | None = None) -> None:
    """Point Django at our settings; must run before anything imports them."""
    if data_dir:
        os.environ["DUTYDESK_DATA_DIR"] = os.path.abspath(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dutydesk.settings")


@dataclass(frozen=True)
class Project:
    """The project's entry points, importable only once Django is set up."""

    call_command: Callable[..., Any]
    close_db_connections: Callable[[], None]
    has_organisations: Callable[[], bool]
    find_user: Callable[[str], Any]
    create_token: Callable[..., tuple[Any, str]]
    seed_demo: Callable[[], list[Login]]
    demo_logins: Callable[[], Sequence[Login]]
    data_dir: str


def _boot() -> Project:
    """Set up Django and import the project modules (settings must be configured first)."""
    _configure_env()
    import django

    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections

    from dutydesk.accounts.models import Organization
    from dutydesk.accounts.services import api_token_create

    user_model = get_user_model()

    def find_user(email: str) -> Any:
        return user_model.objects.filter(email__iexact=email.strip()).first()

    # The demo module is loaded only when used, so a problem there cannot break the
    # production commands.
    def seed_demo() -> list[Login]:
        from dutydesk.demo import seed_demo

        return seed_demo()

    def demo_logins() -> Sequence[Login]:
        from dutydesk.demo import DEMO_LOGINS

        return DEMO_LOGINS

    return Project(
        call_command=call_command,
        close_db_connections=connections.close_all,
        has_organisations=Organization.objects.exists,
        find_user=find_user,
        create_token=api_token_create,
        seed_demo=seed_demo,
        demo_logins=demo_logins,
        data_dir=str(settings.DATA_DIR),
    )


def _execute_django(args: Sequence[str]) -> None:
    """Run a Django management command line, as ``manage.py`` would."""
    _configure_env()
    from django.core.management import execute_from_command_line

    execute_from_command_line([PROG, *args])


# --- small helpers --------------------------------------------------------------------


def _url_host(host: str) -> str:
    """The host as written in a URL for the browser (wildcard binds become localhost)."""
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 - wildcard binds are reached via localhost
        return "localhost"
    return f"[{host}]" if ":" in host else host


def _bind(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _port_is_free(host: str, port: int) -> bool:
    """True when nothing listens on host:port yet (checked before the slow start-up)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _is_serving(host: str, port: int) -> bool:
    """Does /healthz answer 200? (A listening socket is not enough: workers may still boot.)"""
    target = "127.0.0.1" if host in {"", "0.0.0.0"} else "[::1]" if host == "::" else host  # noqa: S104
    try:
        with urllib.request.urlopen(f"http://{target}:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _gunicorn_has_control_socket() -> bool:
    """gunicorn >= 25 opens a control socket at one per-user default path; two demos (or
    a demo next to another gunicorn) would fight over it, so the demo turns it off."""
    from gunicorn.config import KNOWN_SETTINGS  # reads WEB_CONCURRENCY: import only here

    return any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS)


def _gunicorn_args(host: str, port: int, workers: int, threads: int, *, demo: bool) -> list[str]:
    """Command-line arguments for ``python -m gunicorn`` serving DutyDesk."""
    args = [
        "dutydesk.wsgi:application",
        "--bind",
        _bind(host, port),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
    ]
    if demo and _gunicorn_has_control_socket():
        args.append("--no-control-socket")
    return args


def _print_logins(logins: Sequence[Login]) -> None:
    rows = [("role", "email", "password"), *logins]
    widths = [max(len(str(row[i])) for row in rows) for i in range(3)]
    for n, row in enumerate(rows):
        print("  " + "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)))
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


def _ensure_demo_data(project: Project) -> list[Login]:
    """Seed the demo data into an empty database; return the logins to print."""
    if project.has_organisations():
        print("Demo data already exists; leaving it as it is.")
        return list(project.demo_logins())
    print("Creating demo data...")
    return project.seed_demo()


# --- demo: web + worker under one supervisor ------------------------------------------


def _die_with_parent() -> None:
    """In a child (Linux): get SIGTERM if the supervising process dies without cleanup."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM))


class Supervisor:
    """Starts child processes, watches them, and stops them all on a signal or a death."""

    def __init__(self) -> None:
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.signals = 0
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: object) -> None:
        self.signals += 1

    def start(self, name: str, argv: list[str]) -> None:
        # Own process group: Ctrl-C reaches only us, and we stop the children in order.
        self.children[name] = subprocess.Popen(  # noqa: S603 - our own interpreter and args
            argv, process_group=0, preexec_fn=_die_with_parent
        )

    def dead_child(self) -> tuple[str, int] | None:
        for name, proc in self.children.items():
            if proc.poll() is not None:
                return name, proc.returncode
        return None

    def wait(self, until: Callable[[], bool] = lambda: False) -> tuple[str, int] | None:
        """Wait for a signal, ``until()`` or a child's death (returned)."""
        while not self.signals and not until():
            if dead := self.dead_child():
                return dead
            time.sleep(0.2)
        return None

    def stop(self) -> None:
        """SIGTERM every child, wait up to 10 s (a second Ctrl-C cuts it short), then kill."""
        seen = self.signals
        for proc in self.children.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while time.monotonic() < deadline and self.signals <= seen:
            if all(proc.poll() is not None for proc in self.children.values()):
                return
            time.sleep(0.1)
        for name, proc in self.children.items():
            if proc.poll() is None:
                print(f"{PROG}: {name} did not stop in time; killing it", file=sys.stderr)
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def cmd_demo(args: argparse.Namespace) -> int:
    """Migrate, seed demo data, and run the web server and a worker until Ctrl-C."""
    _configure_env(args.data_dir)
    base_url = f"http://{_url_host(args.host)}:{args.port}"
    os.environ.setdefault("ALLOWED_HOSTS", "*")
    os.environ.setdefault("DUTYDESK_BASE_URL", base_url)
    if "EMAIL_HOST" not in os.environ and "EMAIL_BACKEND" not in os.environ:
        # No mail server configured: the demo prints outgoing mail in its console.
        os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.console.EmailBackend"
    if not _port_is_free(args.host, args.port):
        print(f"{PROG}: {args.host}:{args.port} is already in use; try --port", file=sys.stderr)
        return 1

    project = _boot()
    print(f"Data directory: {project.data_dir}")
    print("Applying database migrations...")
    project.call_command("migrate", interactive=False, verbosity=0)
    logins = _ensure_demo_data(project)
    project.close_db_connections()  # the children open their own

    python = [sys.executable, "-m"]
    supervisor = Supervisor()
    web = _gunicorn_args(args.host, args.port, workers=2, threads=4, demo=True)
    supervisor.start("web server", [*python, "gunicorn", *web])
    supervisor.start("worker", [*python, "dutydesk.cli", "worker"])

    dead = supervisor.wait(until=lambda: _is_serving(args.host, args.port))
    if not dead and not supervisor.signals:
        print(f"\nDutyDesk is running at {base_url}/")
        print(f"  sign in   {base_url}/login/")
        print(f"  admin     {base_url}/admin/")
        print(f"  API docs  {base_url}/api/v1/docs")
        print("\nDemo logins:")
        _print_logins(logins)
        print("\nPress Ctrl-C to stop.\n", flush=True)
        dead = supervisor.wait()

    if dead:
        name, code = dead
        print(f"{PROG}: the {name} exited unexpectedly (code {code}); stopping", file=sys.stderr)
    else:
        print("\nStopping...", file=sys.stderr)
    supervisor.stop()
    return 1 if dead else 0


# --- the other commands ---------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    """Replace this process with gunicorn serving DutyDesk (run migrations on deploy)."""
    _configure_env()
    workers = args.workers or _default_web_workers()
    argv = [sys.executable, "-m", "gunicorn"]
    argv += _gunicorn_args(args.host, args.port, workers, args.threads, demo=False)
    sys.stdout.flush()
    os.execv(sys.executable, argv)  # noqa: S606 - our own interpreter
    return 0  # not reached


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the Huey consumer (Django's ``run_huey``) in the foreground."""
    argv = ["run_huey"]
    if args.no_periodic:
        argv.append("--no-periodic")
    if args.workers is not None:
        argv += ["--workers", str(args.workers)]
    _execute_django(argv)
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    """Pass the arguments through to Django's management commands."""
    _execute_django(args.args)
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    """Create an API token for a user and print only the raw token."""
    project = _boot()
    user = project.find_user(args.user)
    if user is None:
        print(f"{PROG}: no user with email {args.user!r}", file=sys.stderr)
        return 1
    if not user.is_active:
        print(f"{PROG}: user {args.user!r} is inactive", file=sys.stderr)
        return 1
    _token, raw = project.create_token(user=user, name=args.name)
    print(raw)
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    """Seed demo data into an already migrated, empty database and print the logins."""
    logins = _ensure_demo_data(_boot())
    print("Demo logins:")
    _print_logins(logins)
    return 0


# --- argument parsing -----------------------------------------------------------------


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return number


def _port(value: str) -> int:
    number = int(value)
    if not 0 < number < 65536:
        raise argparse.ArgumentTypeError(f"not a TCP port: {value}")
    return number


def _default_web_workers() -> int:
    """CPUs + 1, capped at 9; WEB_CONCURRENCY overrides.

    Requests are CPU-bound Python plus short database waits: on 2 cores, 3 workers x 2
    threads serve as many tickets per second as 5 x 4, with a fifth of the p95 latency.
    """
    if env := os.environ.get("WEB_CONCURRENCY"):
        try:
            return _positive(env)
        except (ValueError, argparse.ArgumentTypeError):
            sys.exit(f"{PROG}: WEB_CONCURRENCY must be a positive integer, not {env!r}")
    return min((os.cpu_count() or 1) + 1, 9)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="DutyDesk, the self-hosted 24/7 service desk."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="try it: migrate, demo data, web server and worker")
    demo.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    demo.add_argument("--port", type=_port, default=8000, help="port to bind (default 8000)")
    demo.add_argument(
        "--data-dir", help="where the database and files live (default $DUTYDESK_DATA_DIR or ./var)"
    )
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser(
        "serve",
        help="production web server (gunicorn)",
        description="Run the web server. Migrations are not run: run "
        "'dutydesk manage migrate' on deploy. Further gunicorn options may be set "
        "in GUNICORN_CMD_ARGS or ./gunicorn.conf.py.",
    )
    serve.add_argument("--host", default="0.0.0.0", help="address to bind (default 0.0.0.0)")  # noqa: S104
    serve.add_argument("--port", type=_port, default=8000, help="port to bind (default 8000)")
    serve.add_argument(
        "--workers",
        type=_positive,
        help="worker processes (default $WEB_CONCURRENCY or CPUs + 1, at most 9)",
    )
    serve.add_argument("--threads", type=_positive, default=2, help="threads per worker (2)")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="background worker (Huey consumer)")
    worker.add_argument(
        "--no-periodic",
        action="store_true",
        help="do not schedule periodic tasks (run exactly one worker without this flag)",
    )
    worker.add_argument(
        "--workers", type=_positive, help="worker threads (default from settings.HUEY)"
    )
    worker.set_defaults(func=cmd_worker)

    manage = sub.add_parser(
        "manage", help="run a Django management command", add_help=False, prefix_chars="\0"
    )
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)

    token = sub.add_parser("token", help="API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_sub.add_parser("create", help="create a token; prints only the raw token")
    create.add_argument("--user", required=True, metavar="EMAIL", help="the token's owner")
    create.add_argument("--name", default="", help="a label to recognise the token by")
    create.set_defaults(func=cmd_token_create)

    seed = sub.add_parser("seed-demo", help="add demo data to a migrated, empty database")
    seed.set_defaults(func=cmd_seed_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dutydesk`` console script."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:  # Ctrl-C before a command installed its own handling
        return 130


if __name__ == "__main__":
    sys.exit(main())
