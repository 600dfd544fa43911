"""MLFLOW_TRACKING_URI with a password holding / @ : ? # % spaces or unicode: a server's
URI reaches MLflow without it and the credentials through MLflow's own variables, a
database's percent-encoded; no message of MLflow or of the commands holds a piece of it."""

from __future__ import annotations

import base64
import threading
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from e2i_synth.settings import tracking_from
from e2i_synth_tests.conftest import SPECIAL_PASSWORDS, invoke_cli, leaks, written

NO_CREDENTIALS = {"MLFLOW_TRACKING_USERNAME": None, "MLFLOW_TRACKING_PASSWORD": None}
"""Unset for a command: the credentials it hands MLflow are its URI's."""


@pytest.mark.parametrize("password", SPECIAL_PASSWORDS)
def test_tracking_uris_are_split_at_their_last_at(password):
    from sqlalchemy.engine import make_url

    server = tracking_from(f"https://ops:{written(password)}@tracking.example:5000/x")
    assert (server.uri, server.username, server.password) == (
        "https://tracking.example:5000/x",
        "ops",
        password,
    )
    assert str(server) == "https://ops:***@tracking.example:5000/x"
    database = tracking_from(f"postgresql://ops:{written(password)}@db.example:5432/mlflow")
    url = make_url(database.uri)  # as MLflow's SQLAlchemy store reads it
    parts = (url.host, url.port, url.database, url.username, url.password)
    assert parts == ("db.example", 5432, "mlflow", "ops", password)
    assert str(database) == "postgresql://ops:***@db.example:5432/mlflow"
    assert leaks(f"{server} {server!r} {database} {database!r} {url!r}", password) == []


@pytest.fixture
def registry_server() -> Iterator[tuple[str, list[str]]]:
    """`host:port` of an HTTP server answering every MLflow request with `{}` (no model
    versions), and the Authorization headers it received."""
    received: list[str] = []

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            received.append(self.headers.get("Authorization", ""))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        do_POST = do_GET

        def log_message(self, *args) -> None:
            """Quiet: the test reads what was received."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_port}", received
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("password", SPECIAL_PASSWORDS)
def test_the_server_gets_the_password_and_the_command_shows_none_of_it(
    isolated_home, registry_server, password
):
    from e2i_synth.twins.generator import registered_name

    location, received = registry_server
    uri = f"http://ops:{written(password)}@{location}"
    result = invoke_cli(
        *("twins", "generate", "--brand", "fabhalta"),
        env={"MLFLOW_TRACKING_URI": uri, **NO_CREDENTIALS},
    )
    name = registered_name("hcp", "fabhalta|confounded")
    assert result.returncode == 1
    assert f"no registered twin model {name!r} at http://ops:***@{location};" in result.stderr
    assert leaks(result.stdout + result.stderr, password) == []
    sent = {base64.b64decode(h.removeprefix("Basic ")).decode() for h in received}
    assert sent == {f"ops:{password}"}


def test_mlflow_s_own_error_for_an_unreachable_server_holds_no_piece_of_it(monkeypatch):
    from e2i_synth.twins.generator import registered_name
    from e2i_synth.twins.registry import registered_version

    password = SPECIAL_PASSWORDS[-2]
    for name in NO_CREDENTIALS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    tracking = tracking_from(f"http://ops:{written(password)}@127.0.0.1:1")
    with pytest.raises(Exception) as caught:  # MLflow's, whatever its class
        registered_version(registered_name("hcp", "fabhalta|confounded"), tracking)
    message = "".join(traceback.format_exception(caught.value))
    assert "127.0.0.1" in message and leaks(message, password) == []
