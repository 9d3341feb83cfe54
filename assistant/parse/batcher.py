"""``ParseBatcher``: the turns of many customers parsed in one forward pass.

One forward pass of the parser over 16 padded messages costs far less than 16 passes over one
(the CPU, like a GPU, is busy either way), so concurrent turns wait a few milliseconds for each
other: a single worker thread takes the first waiting message, gathers what else arrives within
``wait_ms`` (up to ``max_batch``), parses them together and hands each caller its own result.
Alone, a turn waits nothing extra: the window only opens while the worker is already busy or
others are queued.
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future

from assistant.parse.schema import TurnParse

_STOP = object()


class ParseBatcher:
    """Args:
        parser: anything with ``parse_many(messages, has_results) -> list[TurnParse]``.
        max_batch: most messages per forward pass.
        wait_ms: how long a gathered batch waits for more when others are already queued.

    Example:
        >>> batcher = ParseBatcher(TurnParser.from_settings(settings), max_batch=16, wait_ms=5)
        >>> batcher.parse("red dresses under £30").slots.max_price
        30.0
    """

    def __init__(self, parser, max_batch: int = 16, wait_ms: float = 5.0):
        self.parser, self.max_batch, self.wait_s = parser, max(1, max_batch), max(0.0, wait_ms) / 1000
        self._queue: queue.Queue = queue.Queue()
        self._worker: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.batches = 0  # forward passes run, for the benchmark's batch-size figure
        self.parsed = 0

    @property
    def meta(self) -> dict:
        return self.parser.meta

    def parse(self, message: str, has_results: bool = False) -> TurnParse:
        return self.submit(message, has_results).result()

    def parse_many(self, messages: list[str], has_results: list[bool]) -> list[TurnParse]:
        futures = [self.submit(m, r) for m, r in zip(messages, has_results)]
        return [f.result() for f in futures]

    def submit(self, message: str, has_results: bool = False) -> Future:
        future: Future = Future()
        self._ensure_worker()
        self._queue.put((message, has_results, future))
        return future

    def pending(self) -> int:
        return self._queue.qsize()

    def close(self) -> None:
        if self._worker is not None:
            self._queue.put(_STOP)
            self._worker.join(timeout=5)
            self._worker = None

    def _ensure_worker(self) -> None:
        with self._start_lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="parse-batcher", daemon=True)
                self._worker.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            batch = [first] + self._gather()
            stop = any(item is _STOP for item in batch)
            self._parse([item for item in batch if item is not _STOP])
            if stop:
                return

    def _gather(self) -> list:
        """What else is waiting, plus what arrives within the window while others still queue."""
        batch: list = []
        deadline = time.monotonic() + self.wait_s
        while len(batch) + 1 < self.max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                left = deadline - time.monotonic()
                if left <= 0 or not batch:  # nobody else was waiting: do not make a lone turn wait
                    break
                try:
                    item = self._queue.get(timeout=left)
                except queue.Empty:
                    break
            batch.append(item)
            if item is _STOP:
                break
        return batch

    def _parse(self, batch: list) -> None:
        live = [(m, r, f) for m, r, f in batch if f.set_running_or_notify_cancel()]
        if not live:
            return
        try:
            parses = self.parser.parse_many([m for m, _, _ in live], [r for _, r, _ in live])
        except BaseException as exc:  # noqa: BLE001 (every waiting caller learns of it)
            for _, _, future in live:
                future.set_exception(exc)
            return
        self.batches += 1
        self.parsed += len(live)
        for (_, _, future), parse in zip(live, parses):
            future.set_result(parse)
