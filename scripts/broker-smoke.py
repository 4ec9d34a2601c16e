#!/usr/bin/env python3
"""Round trip against the external broker with an independent client (confluent-kafka).

Usage: scripts/broker smoke   (or: PYTHONPATH=.tools/python python3 scripts/broker-smoke.py HOST:PORT)

Creates a compacted topic with 3 partitions, produces keyed records with headers and a tombstone,
commits a transaction, then consumes everything in a consumer group up to end-of-partition and
commits. Exits non-zero on any failure; bounded by a 60 s deadline.
"""
import sys
import time
import uuid

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

DEADLINE = time.monotonic() + 60
PARTITIONS = 3


def fail(message):
    print(f"smoke: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def step(message, t0):
    print(f"smoke: {message} ({(time.monotonic() - t0) * 1000:.0f} ms)")


def main():
    bootstrap = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:19092"
    import confluent_kafka

    print(f"smoke: confluent-kafka {confluent_kafka.__version__}, librdkafka {confluent_kafka.libversion()[0]}, {bootstrap}")
    topic = f"smoke-{uuid.uuid4().hex[:8]}"
    common = {"bootstrap.servers": bootstrap}

    t0 = time.monotonic()
    admin = AdminClient(common)
    futures = admin.create_topics(
        [NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1, config={"cleanup.policy": "compact"})],
        operation_timeout=10,
        request_timeout=15,
    )
    futures[topic].result(timeout=20)
    metadata = admin.list_topics(topic, timeout=10)
    partitions = len(metadata.topics[topic].partitions)
    if partitions != PARTITIONS:
        fail(f"{topic} has {partitions} partitions, expected {PARTITIONS}")
    step(f"created {topic} with {partitions} partitions, cleanup.policy=compact", t0)

    t0 = time.monotonic()
    errors = []
    producer = Producer({**common, "enable.idempotence": True, "linger.ms": 5})
    expected = {}
    for i in range(30):
        key = f"key-{i % 10}".encode()
        value = f"value-{i}".encode() if i != 29 else None  # the last one is a tombstone
        producer.produce(topic, key=key, value=value, headers=[("n", str(i).encode()), ("n", b"dup")],
                         timestamp=1_700_000_000_000 + i,
                         on_delivery=lambda err, msg: errors.append(err) if err else None)
        expected[(key, value)] = i
    if producer.flush(15) != 0:
        fail("plain producer did not flush")
    if errors:
        fail(f"delivery errors: {errors}")
    step("produced 30 records (keys, duplicate headers, CreateTime timestamps, 1 tombstone)", t0)

    t0 = time.monotonic()
    txn = Producer({**common, "transactional.id": f"smoke-txn-{uuid.uuid4().hex[:8]}"})
    txn.init_transactions(15)
    txn.begin_transaction()
    for i in range(5):
        key, value = f"txn-{i}".encode(), f"txn-value-{i}".encode()
        txn.produce(topic, key=key, value=value)
        expected[(key, value)] = 100 + i
    txn.commit_transaction(15)
    step("committed a transaction of 5 records", t0)

    t0 = time.monotonic()
    consumer = Consumer({
        **common,
        "group.id": f"smoke-group-{uuid.uuid4().hex[:8]}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "isolation.level": "read_committed",
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 1500,
    })
    consumer.subscribe([topic])
    seen = {}
    at_eof = set()
    first_record_ms = None
    while len(at_eof) < PARTITIONS or len(seen) < len(expected):
        if time.monotonic() > DEADLINE:
            fail(f"timed out: {len(seen)}/{len(expected)} records, end of {sorted(at_eof)}")
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                at_eof.add(msg.partition())
                continue
            raise KafkaException(msg.error())
        at_eof.discard(msg.partition())
        if first_record_ms is None:
            first_record_ms = (time.monotonic() - t0) * 1000
        seen[(msg.key(), msg.value())] = msg
    missing = set(expected) - set(seen)
    if missing:
        fail(f"missing records: {sorted(missing)[:5]}")
    sample = seen[(b"key-3", b"value-3")]
    if sample.headers() != [("n", b"3"), ("n", b"dup")]:
        fail(f"headers came back as {sample.headers()}")
    if sample.timestamp()[1] != 1_700_000_000_003:
        fail(f"timestamp came back as {sample.timestamp()}")
    if seen[(b"key-9", None)].value() is not None:
        fail("tombstone lost its null value")
    consumer.commit(asynchronous=False)
    committed = consumer.committed([TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=10)
    if sum(tp.offset for tp in committed) < len(expected):
        fail(f"committed offsets {[tp.offset for tp in committed]} do not cover {len(expected)} records")
    consumer.close()
    step(f"consumed {len(seen)} records in a group (first record after {first_record_ms:.0f} ms), committed "
         f"{[tp.offset for tp in committed]}", t0)
    print("smoke: OK")


if __name__ == "__main__":
    main()
