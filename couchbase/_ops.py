"""Operation table: what each key-value operation sends and which result it builds."""
from collections import namedtuple

Op = namedtuple("Op", "opcode kind quiet_ok")

# kind: "value" -> ValueResult with a decoded value; "counter" -> ValueResult with an int;
# "op" -> OperationResult with the CAS; "unlock" -> OperationResult with CAS 0.
# quiet_ok: `quiet` may turn a miss (KEY_ENOENT) into an unsuccessful result.
OPS = {
    "get": Op(0x00, "value", True),
    "gat": Op(0x1D, "value", True),
    "lock": Op(0x94, "value", True),
    "rget": Op(0x83, "value", True),
    "set": Op(0x01, "op", False),
    "add": Op(0x02, "op", False),
    "replace": Op(0x03, "op", False),
    "append": Op(0x0E, "op", False),
    "prepend": Op(0x0F, "op", False),
    "delete": Op(0x04, "op", True),
    "touch": Op(0x1C, "op", True),
    "unlock": Op(0x95, "unlock", False),
    "incr": Op(0x05, "counter", False),
    "decr": Op(0x06, "counter", False),
}

OP_STAT = 0x10
OP_OBSERVE = 0x92
