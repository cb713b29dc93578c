"""The engine both faces run on, and the only code that touches the compiled core.

binding        the compiled modules (_cbc through cffi, _fastpath), code table, errors from C
protocol       opcodes (from csrc/cbc_api.h), HELLO features, packets, OBSERVE/STAT bodies
session        one C connection: lock, the run path (execute, single-op fast path), raw requests
topology       Couchbase-bucket mode: bootstrap, config updates, NOT_MY_VBUCKET/dead-node retries
batch          the per-key encoder and result builder (native), batch_py its pure-Python twin
results        the data layout of every result class (native ResultBase or its twin)
ops            the key-value operations: opcode, result kind
config, http, connstr, collection_ids   config JSON, the HTTP client, connection strings,
               collection-id resolution
"""
