"""Reads one partition of registrar's event log with Python's confluent-kafka and the schema file
alone (schemas/proto/registrar/v1/log.proto, compiled here with protoc), and prints what it read
as JSON. Used by store/tests/kafka.rs to show that a non-Rust client can read the log.

usage: read_log.py BROKERS TOPIC PARTITION PROTO_ROOT
"""
import importlib
import json
import subprocess
import sys
import tempfile

from confluent_kafka import Consumer, KafkaError, TopicPartition


def main() -> None:
    brokers, topic, partition, proto_root = sys.argv[1:5]
    out = tempfile.mkdtemp()
    subprocess.check_call(["protoc", f"--proto_path={proto_root}", f"--python_out={out}", "registrar/v1/log.proto"])
    sys.path.insert(0, out)
    log_pb2 = importlib.import_module("registrar.v1.log_pb2")

    consumer = Consumer({
        "bootstrap.servers": brokers,
        "group.id": "registrar-python-reader",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
    })
    consumer.assign([TopicPartition(topic, int(partition), 0)])
    rows = []
    while True:
        message = consumer.poll(20)
        if message is None:
            raise SystemExit("timed out before the end of the partition")
        if message.error():
            if message.error().code() == KafkaError._PARTITION_EOF:
                break
            raise SystemExit(f"kafka error: {message.error()}")
        record = log_pb2.LogRecord()
        record.ParseFromString(message.value())
        kind = record.WhichOneof("record")
        row = {"offset": message.offset(), "record": kind}
        if kind == "event":
            meta = record.event.meta
            row.update(block=meta.block_number, log_index=meta.log_index, contract=meta.contract.hex(),
                       event=record.event.WhichOneof("kind"))
            if row["event"] == "transfer":
                row["value"] = str(int.from_bytes(record.event.transfer.value, "big"))
        elif kind == "committed":
            row.update(block=record.committed.block_number, finalized=record.committed.finalized)
        rows.append(row)
    consumer.close()
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
