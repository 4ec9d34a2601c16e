#ifndef SWIFT_KAFKA_STREAMS_CRDKAFKA_SHIM_H
#define SWIFT_KAFKA_STREAMS_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#endif
