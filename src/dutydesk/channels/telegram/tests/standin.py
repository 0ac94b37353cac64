"""A local stand-in for the Telegram Bot API: speaks the methods DutyDesk uses, records calls.

Start it with ``BotApiStandIn().start()``; push updates with ``add_message`` /
``add_callback``; read what DutyDesk sent from ``calls``. Used by tests and the benchmark.
"""

from __future__ import annotations

import email.policy
import json
import re
import threading
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "123456:TEST-token"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "DutyDesk", "username": "dutydesk_bot"}


class BadRequest(Exception):
    """A method's arguments are wrong: answered with ``ok: false`` and code 400."""


def _multipart(content_type: str, raw: bytes) -> dict:
    """A multipart/form-data body as a dict: plain fields as strings, files as dicts with
    ``filename``, ``content_type`` and ``content``."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        content = part.get_payload(decode=True) or b""
        if part.get_filename() is None:
            params[name] = content.decode()
        else:
            params[name] = {
                "filename": part.get_filename(),
                "content_type": part.get_content_type(),
                "content": content,
            }
    return params


class BotApiStandIn:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.updates: list[dict] = []
        self.calls: list[tuple[str, dict]] = []
        self.files: dict[str, tuple[str, bytes]] = {}
        self.down = False  # answer every call with 502, as a proxy in front of a dead API
        self.down_methods: set[str] = set()  # 502 for these methods only
        self.failing: dict[str, str] = {}  # method -> description for ok:false answers
        self.webhook: dict = {}
        self._next_update = 1000
        self._next_message = 500
        self._lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    # --- what tests do ----------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> BotApiStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: with Nagle's algorithm the body waits
            # for the client's delayed ACK (~40 ms per call on a keep-alive connection).
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                standin._handle(self)

            def do_GET(self) -> None:
                standin._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def add_update(self, body: dict, update_id: int | None = None) -> dict:
        with self._lock:
            if update_id is None:
                update_id = self._next_update
                self._next_update += 1
            update = {"update_id": update_id, **body}
            self.updates.append(update)
            return update

    def add_message(
        self,
        *,
        user_id: int = 777,
        chat_id: int | None = None,
        text: str | None = "Hello",
        first_name: str = "Ivan",
        username: str = "ivan",
        chat_type: str = "private",
        **extra: Any,
    ) -> dict:
        with self._lock:
            self._next_message += 1
            message_id = self._next_message
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": 1_700_000_000,
            "from": {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name,
                "username": username,
            },
            "chat": {"id": chat_id if chat_id is not None else user_id, "type": chat_type},
            **extra,
        }
        if text is not None:
            message["text"] = text
        return self.add_update({"message": message})

    def add_callback(
        self, *, user_id: int, data: str, chat_id: int = -100500, message_id: int = 42
    ) -> dict:
        query = {
            "id": f"cb{user_id}{len(self.updates)}",
            "from": {"id": user_id, "is_bot": False, "first_name": "Agent"},
            "message": {
                "message_id": message_id,
                "chat": {"id": chat_id, "type": "group"},
                "date": 1_700_000_000,
                "text": "notice",
            },
            "data": data,
        }
        return self.add_update({"callback_query": query})

    def add_file(self, file_id: str, content: bytes, path: str = "documents/file.bin") -> None:
        self.files[file_id] = (path, content)

    def sent(self, method: str) -> list[dict]:
        return [params for name, params in self.calls if name == method]

    # --- the server -------------------------------------------------------------------

    def _reply(self, handler: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _json(self, handler: BaseHTTPRequestHandler, status: int, body: dict) -> None:
        self._reply(handler, status, json.dumps(body).encode(), "application/json")

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        if self.down:
            self._reply(handler, 502, b"Bad Gateway", "text/plain")
            return
        file_match = re.fullmatch(rf"/file/bot{re.escape(self.token)}/(.+)", handler.path)
        if file_match:
            for path, content in self.files.values():
                if path == file_match.group(1):
                    self._reply(handler, 200, content, "application/octet-stream")
                    return
            self._reply(handler, 404, b"", "text/plain")
            return
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", handler.path)
        if not match:
            self._json(handler, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        if match.group(1) != self.token:
            self._json(
                handler, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            )
            return
        method = match.group(2)
        if method in self.down_methods:
            self._reply(handler, 502, b"Bad Gateway", "text/plain")
            return
        ctype = handler.headers.get("Content-Type", "")
        if ctype.startswith("multipart/form-data"):
            params = _multipart(ctype, raw)
        else:
            params = json.loads(raw) if raw else {}
        with self._lock:
            self.calls.append((method, params))
        if method in self.failing:
            body = {"ok": False, "error_code": 400, "description": self.failing[method]}
            self._json(handler, 400, body)
            return
        result = getattr(self, f"_m_{method}", None)
        if result is None:
            self._json(handler, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        try:
            answer = result(params)
        except BadRequest as exc:
            self._json(handler, 400, {"ok": False, "error_code": 400, "description": str(exc)})
            return
        self._json(handler, 200, {"ok": True, "result": answer})

    def _m_getMe(self, params: dict) -> dict:
        return BOT_USER

    def _m_getUpdates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        with self._lock:
            # Like Telegram: asking from an offset confirms (forgets) everything before it.
            if offset:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            return list(self.updates[:limit])

    def _m_sendMessage(self, params: dict) -> dict:
        with self._lock:
            self._next_message += 1
            message_id = self._next_message
        return {
            "message_id": message_id,
            "chat": {"id": params.get("chat_id")},
            "date": 1_700_000_000,
            "text": params.get("text", ""),
        }

    def _sent_file(self, params: dict, field: str) -> dict:
        upload = params.get(field)
        if not isinstance(upload, dict) or not upload.get("content"):
            raise BadRequest(f"Bad Request: there is no {field} in the request")
        with self._lock:
            self._next_message += 1
            message_id = self._next_message
        meta = {"file_id": f"up{message_id}", "file_size": len(upload["content"])}
        if field == "document":
            meta["file_name"] = upload["filename"]
        message = {"message_id": message_id, "chat": {"id": params.get("chat_id")}}
        message[field] = [meta] if field == "photo" else meta
        if params.get("caption"):
            message["caption"] = params["caption"]
        return message

    def _m_sendDocument(self, params: dict) -> dict:
        return self._sent_file(params, "document")

    def _m_sendPhoto(self, params: dict) -> dict:
        return self._sent_file(params, "photo")

    def _m_editMessageText(self, params: dict) -> dict:
        return {"message_id": params.get("message_id"), "text": params.get("text", "")}

    def _m_answerCallbackQuery(self, params: dict) -> bool:
        return True

    def _m_getFile(self, params: dict) -> dict:
        file_id = params.get("file_id", "")
        path, content = self.files[file_id]
        return {"file_id": file_id, "file_size": len(content), "file_path": path}

    def _m_setWebhook(self, params: dict) -> bool:
        self.webhook = params
        return True

    def _m_deleteWebhook(self, params: dict) -> bool:
        self.webhook = {}
        return True
