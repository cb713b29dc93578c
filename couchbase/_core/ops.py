"""The key-value operations both faces run: what each sends and which result it builds."""
from collections import namedtuple

from couchbase._core.binding import lib

#: opcode: what is sent. kind: "value" -> a value result with the decoded value (or raw
#: bytes for the modern face), "counter" -> the counter as an int, "op" -> the CAS only,
#: "unlock" -> CAS 0, "subdoc" -> body, CAS and server status (in flags) whatever the rc. quiet_ok: the classic `quiet` may turn a miss (KEY_ENOENT) into an
#: unsuccessful result instead of an exception.
Op = namedtuple("Op", "opcode kind quiet_ok")

GET = Op(lib.CBC_OP_GET, "value", True)
GAT = Op(lib.CBC_OP_GAT, "value", True)
LOCK = Op(lib.CBC_OP_GET_LOCKED, "value", True)
GET_REPLICA = Op(lib.CBC_OP_GET_REPLICA, "value", True)
SET = Op(lib.CBC_OP_SET, "op", False)
ADD = Op(lib.CBC_OP_ADD, "op", False)
REPLACE = Op(lib.CBC_OP_REPLACE, "op", False)
APPEND = Op(lib.CBC_OP_APPEND, "op", False)
PREPEND = Op(lib.CBC_OP_PREPEND, "op", False)
DELETE = Op(lib.CBC_OP_DELETE, "op", True)
TOUCH = Op(lib.CBC_OP_TOUCH, "op", True)
UNLOCK = Op(lib.CBC_OP_UNLOCK_KEY, "unlock", False)
INCR = Op(lib.CBC_OP_INCREMENT, "counter", False)
DECR = Op(lib.CBC_OP_DECREMENT, "counter", False)
#: sub-document requests: the result keeps the body, CAS and server status whatever the outcome
SUBDOC_LOOKUP = Op(lib.CBC_OP_SUBDOC_MULTI_LOOKUP, "subdoc", False)
SUBDOC_MUTATION = Op(lib.CBC_OP_SUBDOC_MULTI_MUTATION, "subdoc", False)

#: the classic API's names for them
BY_NAME = {
    "get": GET, "gat": GAT, "lock": LOCK, "rget": GET_REPLICA, "set": SET, "add": ADD, "replace": REPLACE,
    "append": APPEND, "prepend": PREPEND, "delete": DELETE, "touch": TOUCH, "unlock": UNLOCK,
    "incr": INCR, "decr": DECR,
}
