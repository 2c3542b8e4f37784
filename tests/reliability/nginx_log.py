"""nginx's JSON access log (log_format pageviews_json in
deploy/nginx/conf.d/pageviews.conf), read by request id: which replicas
nginx tried for a request and what each answered. Pure, no Docker."""
import json
import re
from dataclasses import dataclass

# nginx joins the replicas it tried with ", " (and a redirect's with " : ").
_SEPARATOR = re.compile(r"\s*[,:]\s+")


@dataclass
class Proxied:
    request_id: str
    status: int
    upstream_addrs: list  # every replica tried, in order
    upstream_statuses: list  # what each answered ("502": no connection, or it broke)

    @property
    def served_by(self):
        """The replica that gave the answer: the last one tried."""
        return self.upstream_addrs[-1] if self.upstream_addrs else None

    @property
    def nginx_answered(self):
        """nginx answered itself, no replica tried: it had none live (each
        rests fail_timeout after a failure), and logs the group's name."""
        return self.served_by is None or ":" not in self.served_by

    @property
    def first_tried(self):
        return self.upstream_addrs[0] if self.upstream_addrs else None

    @property
    def resent_after_error(self):
        """nginx passed it to another replica after a connection error (a
        502 that is not the last answer): the first replica may have
        counted it before it died."""
        return "502" in self.upstream_statuses[:-1]


def _split(value):
    return [part for part in _SEPARATOR.split(value.strip()) if part and part != "-"]


def parse(text, prefix=""):
    """The requests in the log whose id starts with prefix, by id. Lines
    that are not the access log's JSON (nginx's error log shares stdout)
    are skipped."""
    requests = {}
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        request_id = entry.get("request_id", "")
        if not request_id.startswith(prefix):
            continue
        requests[request_id] = Proxied(request_id, int(entry.get("status", 0)),
                                       _split(entry.get("upstream_addr", "")),
                                       _split(entry.get("upstream_status", "")))
    return requests


def resent_after_error(requests):
    """How many of the requests nginx re-sent after a connection error."""
    return sum(1 for proxied in requests.values() if proxied.resent_after_error)
