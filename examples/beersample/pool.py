"""A small pool of connections for the request threads.

A classic ``Connection`` serves one caller at a time (its lock mode makes the others
wait), and a view query holds it until the answer is read. Requests that each take a
connection of their own for their duration overlap their waits on the cluster instead
of queueing behind one another.
"""
import threading

from couchbase.exceptions import TimeoutError


class ConnectionPool:
    def __init__(self, connect, size):
        if size < 1:
            raise ValueError("a pool holds at least one connection")
        self._connect = connect
        self.size = size
        self._idle = []
        self._open = 0
        self._cond = threading.Condition()

    def acquire(self, timeout=10.0):
        """An idle connection, a new one while fewer than ``size`` exist, or the next one
        released (TimeoutError after ``timeout`` seconds)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._idle or self._open < self.size, timeout):
                raise TimeoutError.pyexc("No database connection became free within %ss" % timeout)
            if self._idle:
                return self._idle.pop()
            self._open += 1
        try:
            return self._connect()
        except BaseException:
            with self._cond:
                self._open -= 1
                self._cond.notify()
            raise

    def release(self, conn):
        with self._cond:
            self._idle.append(conn)
            self._cond.notify()
