"""The conversation of each thread the bot answers in, so that a follow-up is read with the
questions before it ("what does paragraph 3 say?").

Kept in memory for the most recent threads. A thread whose conversation is not there (the bot
restarted, or the thread is old) is rebuilt from its history: its earlier questions are asked
again, in order (at most the conversation's turn limit, so a few queries).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from bot.engine.conversation import Conversation

MAX_THREADS = 5_000  # threads whose conversation is kept in memory (per process)


class ThreadConversations:
    def __init__(self, size: int = MAX_THREADS) -> None:
        self.size = size
        self._threads: OrderedDict[int, Conversation] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, thread_id: int) -> Conversation | None:
        with self._lock:
            conversation = self._threads.get(thread_id)
            if conversation is not None:
                self._threads.move_to_end(thread_id)
            return conversation

    def put(self, thread_id: int, conversation: Conversation) -> None:
        with self._lock:
            self._threads[thread_id] = conversation
            self._threads.move_to_end(thread_id)
            while len(self._threads) > self.size:
                self._threads.popitem(last=False)
