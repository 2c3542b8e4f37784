"""Steady, bounded load with a record per request: clients threads, each
sending GET url (http or https) every period seconds (or as fast as answers
come, if slower) until stopped, or seconds have passed, or it sent count
requests. url may be a function returning the URL, asked before each
request (for a target that moves, such as nginx across `down` and `up`).
"""
import threading
import time

from harness.http import get


class Load:
    def __init__(self, url, clients=4, period=0.05, seconds=60.0, count=2000, name="load", headers=None, tls=None):
        self.url, self.clients, self.period = url, clients, period
        self.seconds, self.count, self.name, self.headers = seconds, count, name, headers
        # For an https url: the ssl.SSLContext that verifies the server.
        self.tls = tls
        self.records = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []
        self.stopped_at = None

    def _client(self, index):
        deadline = time.monotonic() + self.seconds
        for sent in range(1, self.count + 1):
            began = time.monotonic()
            if began >= deadline or self._stop.is_set():
                break
            url = self.url() if callable(self.url) else self.url
            record = get(url, headers=self.headers, request_id=f"{self.name}-{index}-{sent}", tls=self.tls)
            with self._lock:
                self.records.append(record)
            self._stop.wait(max(0.0, self.period - (time.monotonic() - began)))

    def start(self):
        self._threads = [threading.Thread(target=self._client, args=(i,), daemon=True)
                         for i in range(1, self.clients + 1)]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self):
        """Stops the clients (each finishes its request in flight) and
        returns every record, in the order they started."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        self.stopped_at = time.time()
        with self._lock:
            return sorted(self.records, key=lambda record: record.started)

    def wait_for_requests(self, count, timeout=120.0):
        """Blocks until count requests were answered (or timeout), so a fault
        meets a load already running."""
        from harness.wait import wait_for

        wait_for(f"{count} requests of {self.name}", lambda: len(self.records) >= count,
                 timeout=timeout, interval=0.1, seen=lambda: f"{len(self.records)} requests")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
