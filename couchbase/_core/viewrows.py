"""View answers -> rows (docs/protocol.md section 10.3), buffered or incrementally.

The incremental parser walks the top-level object member by member and the ``rows`` array
row by row with the standard library's JSON scanner (``JSONDecoder.raw_decode``, C code),
feeding it the body as it arrives; it keeps only the unparsed tail, so memory stays flat
however many rows a view has. No third-party dependency is needed for it.
"""
import codecs
import json
import re

from couchbase._core import http as _http
from couchbase._core.binding import C

#: Largest single row (or other member) the incremental parser buffers.
MAX_ROW = 64 * 1024 * 1024

_WS = re.compile(r"[ \t\n\r]*")
_ROW_GAP = re.compile(r"[ \t\n\r,]*")
_raw_decode = json.JSONDecoder().raw_decode

_OBJ, _KEY, _COLON, _VALUE, _ROWS, _DONE = range(6)


class _Incomplete(Exception):
    pass


class RowStream:
    """Parse a view answer from an iterable of byte pieces; iterate for lists of row
    dicts (one list per piece); ``meta`` gets every other member (``total_rows``,
    ``errors``, ``debug_info``). Without `pieces`, the caller hands the pieces over as they
    come (``feed``), then take the last rows (``finish``) and check the end (``check_end``)."""

    def __init__(self, pieces=None, max_row=MAX_ROW):
        self.pieces = pieces
        self.max_row = max_row
        self.meta = {}
        self._state = _OBJ
        self._key = None
        self._buf = ""
        self._pos = 0
        self._retry_at = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")()

    def __iter__(self):
        for piece in self.pieces:
            rows = self.feed(piece)
            if rows:
                yield rows
        rows = self.finish()
        if rows:
            yield rows
        self.check_end()

    def feed(self, piece):
        """The rows completed by the next piece of the answer (a list, maybe empty)."""
        self._buf = self._buf[self._pos:] + self._decoder.decode(piece)
        self._pos = 0
        if len(self._buf) < self._retry_at:
            return []
        return self._parse()

    def finish(self):
        """The last rows, once the answer ended (then ``check_end``)."""
        self._buf = self._buf[self._pos:] + self._decoder.decode(b"", True)
        self._pos = 0
        self._retry_at = 0
        return self._parse()

    def check_end(self):
        """A failure unless the answer was one whole view answer."""
        if self._state != _DONE:
            raise _http._Failure(C.PROTOCOL_ERROR, "View answer ended in the middle of its JSON")
        if _WS.match(self._buf, self._pos).end() != len(self._buf):
            raise _http._Failure(C.PROTOCOL_ERROR, "Data after the end of the view answer")

    def _value(self, buf, pos):
        try:
            return _raw_decode(buf, pos)
        except ValueError:
            raise _Incomplete()

    def _parse(self):
        """Consume what the buffer holds; return the complete rows found."""
        rows = []
        buf, pos = self._buf, self._pos
        state = self._state
        try:
            while True:
                pos = _WS.match(buf, pos).end()
                if pos >= len(buf):
                    break
                ch = buf[pos]
                if state == _ROWS:
                    pos = _ROW_GAP.match(buf, pos).end()
                    if pos >= len(buf):
                        break
                    if buf[pos] == "]":
                        pos += 1
                        state = _KEY
                        continue
                    row, pos = self._value(buf, pos)
                    rows.append(row)
                    self._pos = pos
                elif state == _OBJ:
                    if ch != "{":
                        raise _http._Failure(C.PROTOCOL_ERROR, "A view answer must be a JSON object")
                    pos += 1
                    state = _KEY
                elif state == _KEY:
                    if ch == ",":
                        pos += 1
                        continue
                    if ch == "}":
                        pos += 1
                        state = _DONE
                        break
                    self._key, pos = self._value(buf, pos)
                    state = _COLON
                elif state == _COLON:
                    if ch != ":":
                        raise _http._Failure(C.PROTOCOL_ERROR, "Malformed view answer")
                    pos += 1
                    state = _VALUE
                elif state == _VALUE:
                    if self._key == "rows" and ch == "[":
                        pos += 1
                        state = _ROWS
                    else:
                        self.meta[self._key], pos = self._value(buf, pos)
                        state = _KEY
                else:
                    break
                self._state, self._pos = state, pos
        except _Incomplete:
            pending = len(buf) - self._pos
            if pending > self.max_row:
                raise _http._Failure(C.PROTOCOL_ERROR, "A view row is over the limit of %d bytes" % self.max_row)
            # a large unfinished value is tried again once the tail has doubled (linear time)
            self._retry_at = pending * 2 if pending > 65536 else 0
            return rows
        self._state, self._pos = state, pos
        self._retry_at = 0
        return rows


def parse_body(data):
    """(rows, meta) of a whole answer; ProtocolError-kind failure if it is not one."""
    try:
        doc = json.loads(data)
    except ValueError as e:
        raise _http._Failure(C.PROTOCOL_ERROR, "View answer is not JSON: %s" % e)
    if not isinstance(doc, dict):
        raise _http._Failure(C.PROTOCOL_ERROR, "A view answer must be a JSON object")
    rows = doc.pop("rows", [])
    return rows if isinstance(rows, list) else [], doc
