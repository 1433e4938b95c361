"""A creditor's webhook receiver on the loopback, as the docs tell one to write it:
check the signature, de-duplicate by event id, answer 2xx once processed."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

from claims.ledger import webhooks


class Receiver:
    """What a creditor's server does: check the signature, de-duplicate by id."""

    def __init__(self):
        self.statuses: list[int] = []
        self.requests: list[dict] = []
        self.processed: list[str] = []
        self.secret = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                valid = webhooks.signature_valid(
                    receiver.secret, body, self.headers[webhooks.SIGNATURE_HEADER]
                )
                event_id = self.headers[webhooks.EVENT_HEADER]
                receiver.requests.append(
                    {"valid": valid, "id": event_id, "body": json.loads(body)}
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if not valid:
                    status = 400
                if status == 200 and event_id not in receiver.processed:
                    receiver.processed.append(event_id)
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"boom")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
