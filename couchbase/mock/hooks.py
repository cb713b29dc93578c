"""Fault injection: delay, drop the connection, or force a status for the next N operations.

Rules without an opcode filter apply to document operations only (not to HELLO, SASL or
config requests), so that a forced status hits what a test means to hit.
"""

import threading

from . import codec

DATA_OPCODES = frozenset((
    codec.GET, codec.SET, codec.ADD, codec.REPLACE, codec.DELETE, codec.INCREMENT,
    codec.DECREMENT, codec.GETQ, codec.GETK, codec.GETKQ, codec.APPEND, codec.PREPEND,
    codec.SETQ, codec.ADDQ, codec.REPLACEQ, codec.DELETEQ, codec.INCREMENTQ,
    codec.DECREMENTQ, codec.APPENDQ, codec.PREPENDQ, codec.TOUCH, codec.GAT, codec.GATQ,
    codec.GET_REPLICA, codec.GET_LOCKED, codec.UNLOCK_KEY, codec.GET_META,
    codec.SUBDOC_MULTI_LOOKUP, codec.SUBDOC_MULTI_MUTATION, codec.OBSERVE, codec.OBSERVE_SEQNO))

DELAY = "delay"
DROP = "drop"
STATUS = "status"


class Rule:
    __slots__ = ("kind", "value", "opcode", "node", "remaining")

    def __init__(self, kind, value=None, opcode=None, node=None, count=None):
        self.kind = kind
        self.value = value
        self.opcode = opcode
        self.node = node
        self.remaining = count      # None = until removed

    def matches(self, node, opcode):
        if self.node is not None and self.node != node:
            return False
        if self.opcode is None:
            return opcode in DATA_OPCODES
        if isinstance(self.opcode, (set, frozenset, tuple, list)):
            return opcode in self.opcode
        return opcode == self.opcode

    def to_json(self):
        return {"kind": self.kind, "value": self.value, "opcode": self.opcode,
                "node": self.node, "remaining": self.remaining}


class Hooks:
    """Rules are checked in the order they were added; the first match wins."""

    def __init__(self):
        self.rules = []
        self._lock = threading.Lock()

    def _add(self, rule):
        with self._lock:
            self.rules = self.rules + [rule]
        return rule

    def delay(self, seconds, opcode=None, node=None, count=None):
        """Hold matching requests for ``seconds`` before executing them."""
        return self._add(Rule(DELAY, float(seconds), opcode, node, count))

    def drop(self, opcode=None, node=None, count=1):
        """Close the connection instead of answering a matching request."""
        return self._add(Rule(DROP, None, opcode, node, count))

    def force_status(self, status, count=1, opcode=None, node=None):
        """Answer matching requests with ``status`` without executing them."""
        return self._add(Rule(STATUS, int(status), opcode, node, count))

    def remove(self, rule):
        with self._lock:
            self.rules = [r for r in self.rules if r is not rule]

    def clear(self):
        with self._lock:
            self.rules = []

    def match(self, node, opcode):
        """The rule to apply to this request (its count is consumed), or None."""
        if not self.rules:
            return None
        with self._lock:
            for r in self.rules:
                if r.matches(node, opcode):
                    if r.remaining is not None:
                        r.remaining -= 1
                        if r.remaining <= 0:
                            self.rules = [x for x in self.rules if x is not r]
                    return r
        return None

    def to_json(self):
        return [r.to_json() for r in self.rules]
