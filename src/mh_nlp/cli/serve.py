"""``mh-nlp serve``: the browser review screen (registered on import; FastAPI and uvicorn load only when run)."""
from __future__ import annotations

import os
import re
import secrets
import sqlite3
from pathlib import Path

import click

from .base import FloatRange, UserError, _guard, _stale_warning, _warn, main


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on (0.0.0.0: the network). Every request needs the token in the printed "
                   "address, on loopback too: 127.0.0.1 is shared by every user of the machine.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port).")
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Where the database, uploads and model versions live (default: $MH_NLP_DATA_HOME, else "
                   "$XDG_DATA_HOME/mh-nlp, else ~/.local/share/mh-nlp).")
@click.option("--model", type=click.Path(path_type=Path), help="Model to start with when the data directory is new "
              "(default: models/theme-model.npz), or to use instead of the directory's model in use when that can no "
              "longer be loaded (it becomes a new version).")
@click.option("--max-upload-mb", default=20, show_default=True, type=click.IntRange(1, 2048),
              help="Largest upload accepted (bigger ones get HTTP 413).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME[:PORT]",
              help="Also answer requests whose Host header is this name (e.g. behind a proxy, or a machine name "
                   "on the network). By default only the bound address and localhost are answered, so a web page "
                   "whose name resolves to this machine (DNS rebinding) gets nothing. A DNS name or IP address (IPv6 "
                   "in brackets) with an optional port. Repeatable.")
@click.option("--max-unpacked-mb", default=50, show_default=True, type=FloatRange(1, 100_000),
              help="Largest size a .docx/.odt/.pptx/.xlsx upload may unpack to (the XML parts of a .docx/.odt/.pptx "
                   "together: a fifth of it; a decompression bomb gets HTTP 413).")
@click.option("--max-statements", default=20_000, show_default=True, type=click.IntRange(1),
              help="Most statements one upload or paste may hold (more get HTTP 413).")
@click.option("--max-read-seconds", default=60, show_default=True, type=FloatRange(1, 86_400),
              help="Longest an upload's check may read the pages of a PDF (one of heavy drawing content, read while "
                   "every other upload waits; a slower one gets HTTP 413: label it with mh-nlp label).")
@click.option("--new-token", is_flag=True,
              help="Make a new token instead of the data folder's (kept there when the folder is this user's alone, so "
                   "that bookmarks and open tabs survive a restart): after the printed address reached someone it "
                   "should not have.")
def serve(host: str, port: int, data_dir: Path | None, model: Path | None, max_upload_mb: int,
          allow_hosts: tuple[str, ...], max_unpacked_mb: float, max_statements: int, max_read_seconds: float,
          new_token: bool) -> None:
    """Open the review screen: bring in notes, review and correct the sections, export, teach the model.

    \b
    Example:
      mh-nlp serve                 # open the printed http://127.0.0.1:8000/?token=...
      mh-nlp serve --host 0.0.0.0  # on the network: open the printed address with its token
    """
    # what the screen writes (its database, the uploaded notes, models, exports) is for this user alone
    before = os.umask(0o077)
    try:
        _serve(host, port, data_dir, model, max_upload_mb, allow_hosts, max_unpacked_mb, max_statements, new_token,
               max_read_seconds=max_read_seconds)
    finally:
        os.umask(before)


def _serve(host: str, port: int, data_dir: Path | None, model: Path | None, max_upload_mb: int,
           allow_hosts: tuple[str, ...], max_unpacked_mb: float, max_statements: int, new_token: bool = False,
           max_read_seconds: float | None = 60.0) -> None:
    try:
        import uvicorn

        from ..app.db import DB_NAME
        from ..app.server import (TOKEN_SETTING, create_app, default_data_dir, is_loopback, is_wildcard,
                                  start_warm_up)
    except ImportError as exc:
        raise UserError(f"the review screen needs FastAPI, uvicorn and Jinja2 ({exc}); reinstall mh-nlp") from None
    import socket

    from ..corpus.records import load_taxonomy
    from ..io import safezip
    from ..paths import shown
    from ..themes.store import default_model_path

    # every page reads the taxonomy: a broken one is said as the data's fault, before the model is loaded with it
    _guard(load_taxonomy)  # (QA 49a D3: it came as an error of the model file)
    from ..themes.features import load_cues

    _guard(load_cues)  # the model reads the stance cues for every statement (QA 50a N7: every classify was a 500)
    from ..nlp.pipeline import load_entity_patterns

    _guard(load_entity_patterns)  # and the pipeline the entity files, checked record by record (QA 50b R2)

    if not host.strip():
        raise UserError(f"--host {host!r} names no address: use 127.0.0.1 (this machine only) or 0.0.0.0 (the network)")
    host = _canonical(host)
    from ..app.server import allowed_host

    for name in allow_hosts:
        if allowed_host(name) is None:
            hint = ("; an IPv6 address goes in brackets, [::1]" if name.count(":") > 1 and "[" not in name else
                    "; digits and dots that are no IP address (each number 0-255, four of them)"
                    if re.fullmatch(r"[\d.]+(:\d+)?", name) else "")
            raise UserError(f"--allow-host {name!r} is not a host name with an optional port (review.example.org, "
                            f"review.example.org:8443){hint}")
    data_dir = data_dir or default_data_dir()
    for what, path in (("data folder", data_dir), ("model", model)):  # both are stored by name in the database
        if path is not None and shown(path.resolve()) != str(path.resolve()):
            raise UserError(f"the {what}'s path {shown(path)!r} is not UTF-8 text; rename it or choose another")
    safezip.LIMITS = safezip.Limits(max_unpacked_mb=max_unpacked_mb)  # also what the labelling thread reads with
    # the address first: a port in use is said before a new data folder is made for nothing (QA 51a); the socket
    # listens only once the screen is ready
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by accepted connections on Linux
    # (asyncio sets it only on sockets made with proto IPPROTO_TCP; this one has proto 0)
    try:
        sock.bind((host, port))
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    if not (data_dir / DB_NAME).exists():  # a new data folder starts with this model as its version 1: check it first
        _check_first_model(model or default_model_path())
    shared = [p for p in (data_dir, data_dir / DB_NAME, *data_dir.glob(f"{DB_NAME}-*"), data_dir / "uploads")
              if p.exists() and p.stat().st_mode & 0o077 and p.stat().st_uid == os.getuid()]
    try:  # the token is kept in the database for the next start, unless others can read that file
        app = create_app(data_dir, host=host, model_path=model, warm_up=False, token=secrets.token_urlsafe(24),
                         keep_token=None if shared else not new_token,
                         max_upload=max_upload_mb * 1024 * 1024, allow_hosts=allow_hosts,
                         max_unpacked_mb=max_unpacked_mb, max_statements=max_statements,
                         max_read_seconds=max_read_seconds)
    except OSError as exc:
        raise UserError(f"{data_dir}: cannot be used as the data folder ({exc.strerror or exc})") from None
    except RuntimeError as exc:
        raise UserError(f"{data_dir}: {exc}") from None
    worker = app.state.worker
    in_use = app.state.store.model_version(worker.version) or {}
    if model is not None and in_use.get("path") != str(model.resolve()):
        if worker.usable(worker.version):
            # QA 51a D4: the model page lists the folder's own versions only; FILE is not among them
            _warn(f"--model {model} is not used: the data folder {data_dir} has its own models already (in use: "
                  f"version {worker.version}, {in_use.get('path', '?')}), and the screen's model page offers only "
                  f"those; to review with {model.name}, start with a new --data folder, whose first model it becomes")
        else:  # the folder's model is gone (deleted, moved): the one given takes its place, as a new version
            _check_first_model(model)
            try:
                version = worker.register(model, given=True)
                worker.use(version)
            except sqlite3.Error as exc:
                raise UserError(f"{data_dir}: cannot record the model ({exc})") from None
            _warn(f"the model in use (version {in_use.get('version', '?')}, {in_use.get('path', '?')}) cannot be "
                  f"loaded; {model} is version {version} now and in use")
    for note in getattr(app.state, "model_notes", []):  # QA 49a D6: a model file replaced since the last start
        _warn(note)
    _warn_stale(app.state.store.model_version(worker.version))
    start_warm_up(worker)
    if shared:
        _warn(f"{', '.join(map(str, shared))} can be read by other users of this machine, and the notes in it are "
              f"sensitive: chmod -R go-rwx {data_dir} (until then no token is kept: each start makes a new one, and "
              f"a token kept before is retired)")
        try:  # a token kept before sat where others can read it: retired, or it would come back once the folder
            if app.state.store.setting(TOKEN_SETTING) is not None:  # is private, even after --new-token
                app.state.store.forget_setting(TOKEN_SETTING)
        except sqlite3.Error:
            _warn("the token kept before in this data folder could not be retired (its database cannot be written), "
                  f"and others could read it: make the folder private and writable (chmod -R u+w,go-rwx {data_dir}), "
                  "then start with --new-token, or the old token comes back")
    from ..themes import embeddings

    try:  # the embedding cache keeps a key and a vector of every statement uploaded: made private, or said (QA 49b D3)
        embeddings.make_private()
    except OSError:
        pass  # (said when the encoder opens it: no cache, every statement embedded anew)
    if new_token:
        # (no other screen can be running on this folder: a second serve on it is refused before this; QA 46a #8)
        _warn("a new token: the address printed below replaces the old one, which no longer opens the screen "
              "(open tabs and scripts must use the new one)")
    if app.state.store.read_only:
        _warn(f"the data folder {data_dir} is read-only: the screen shows what is there but cannot save uploads, "
              "decisions or models")
    sock.listen(2048)  # from now on a connection waits in the backlog until uvicorn serves it
    port = sock.getsockname()[1]
    # 0.0.0.0 opens nowhere else; a name (localhost) is shown as the address it was bound to, since a browser may try
    # another address of the name first (::1), where another user of the machine may listen (QA 52b S3)
    address = _own_address(family) if is_wildcard(host) else str(sock.getsockname()[0])
    at = f"[{address}]" if ":" in address else address
    url = f"http://{at}:{port}/?token={app.state.token}"  # on loopback too: other users of the machine reach it
    click.echo(f"mh-nlp review screen: {url}")
    if is_wildcard(host):
        click.echo(f"(listening on every address of this machine; on this machine itself: http://"
                   f"{'[::1]' if ':' in host else '127.0.0.1'}:{port}/?token={app.state.token})")
    if not is_loopback(host):
        _warn("on the network the screen speaks plain HTTP: its token and the notes cross the network unencrypted; "
              "use an HTTPS proxy on a network you do not trust (docs/review-screen.md, Security)")
    click.echo(f"data: {data_dir}   (Ctrl-C stops the server)")
    config = uvicorn.Config(app, log_level="warning", lifespan="on", http=json_400_protocol())
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it handled: the server stopped as asked
        pass
    click.echo("mh-nlp review screen stopped")


def _warn_stale(in_use: dict | None) -> None:
    """Once at start: the model in use was trained on other data files than the data folder holds now (QA 49a D4),
    as ``classify`` and ``label`` warn."""
    if not in_use or not in_use.get("path"):
        return
    message = _stale_warning(Path(in_use["path"]), in_use.get("metadata"))
    if message:
        _warn(f"model version {in_use.get('version')}: {message}")


HEADER_SECONDS = 10  # a client has this long to send a request's headers (a browser needs milliseconds)


def json_400_protocol():
    """uvicorn's HTTP/1.1 protocol, but a request that cannot be parsed (no Host, two Hosts, a broken request line)
    is answered as every other refusal of the screen: a JSON message, not uvicorn's plain text."""
    import json

    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class JsonErrorProtocol(H11Protocol):
        """...and a connection whose request headers are not complete within :data:`HEADER_SECONDS` of its first
        byte (or of its start) is closed: uvicorn times out idle keep-alive connections only, so one that sent half
        a request line was kept open for ever (anyone on the machine could hold file descriptors that way)."""

        _header_timer = None

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._arm_header_timer()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.cycle is not None and not self.cycle.response_complete:  # the headers came: a request is served
                self._cancel_header_timer()
            else:  # bytes of a next request (after a keep-alive pause), its headers not complete yet
                self._arm_header_timer()

        def connection_lost(self, exc) -> None:
            self._cancel_header_timer()
            super().connection_lost(exc)

        def _arm_header_timer(self) -> None:
            if self._header_timer is None:
                self._header_timer = self.loop.call_later(HEADER_SECONDS, self._headers_too_slow)

        def _cancel_header_timer(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if (self.cycle is None or self.cycle.response_complete) and not self.transport.is_closing():
                self.transport.close()

        def send_400_response(self, msg: str) -> None:
            body = json.dumps({"error": f"bad HTTP request: {msg.rstrip('.')}"}).encode("ascii")
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                       (b"x-content-type-options", b"nosniff"), (b"connection", b"close")]
            for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"), h11.Data(data=body),
                          h11.EndOfMessage()):
                self.transport.write(self.conn.send(event))
            self.transport.close()

    return JsonErrorProtocol


def _check_first_model(path: Path) -> None:
    """A one-line error when the model a new data folder would start with is missing or cannot be loaded: the
    screen would run without one, and the folder would keep the broken file as its version 1."""
    from ..app.engine import NoModel, load_model_file

    if path.is_dir():
        raise UserError(f"--model {path} is a folder; name the model file in it (theme-model.npz)")
    if not path.is_file():
        raise UserError(f"model file {path} is missing: train one with `mh-nlp train` (or `make demo`), or give "
                        "--model FILE")
    try:
        load_model_file(path)  # kept for the model thread, which would load it again
    except NoModel as exc:
        message = str(exc)
        raise UserError(message if str(path) in message or path.name in message else f"{path}: {message}") from None


def _own_address(family) -> str:
    """This machine's address on its network (the one its default route uses; no packet is sent), for the address
    to print when the server listens on every address; the wildcard itself when there is no network."""
    import socket

    probe = ("10.255.255.255", 1) if family == socket.AF_INET else ("fd00::1", 1)
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect(probe)
            return s.getsockname()[0]
    except OSError:
        return "0.0.0.0" if family == socket.AF_INET else "::"


def _canonical(host: str) -> str:
    """An IPv4 address in the short forms the system accepts (``0`` for 0.0.0.0, ``127.1``) written out in full, so
    that the checks of a wildcard or loopback address and the printed address see what is bound; names and IPv6
    addresses as given, without the brackets of ``[::1]``."""
    import socket

    if host.startswith("[") and host.endswith("]"):  # [::1], as --allow-host and addresses write IPv6
        return host[1:-1]
    if ":" not in host:
        try:
            return socket.inet_ntoa(socket.inet_aton(host))
        except OSError:
            pass
    return host

