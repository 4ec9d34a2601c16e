#ifndef SWIFT_KAFKA_STREAMS_CROCKSDB_SUPPORT_H
#define SWIFT_KAFKA_STREAMS_CROCKSDB_SUPPORT_H

// What RocksDB's C API (rocksdb/c.h) cannot make, made in C++.

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rocksdb_logger_t rocksdb_logger_t;

/// A logger that drops every message, for `rocksdb_options_set_info_log`: a database given it
/// writes no `LOG` file. One logger, alive for the whole process: do not destroy it.
rocksdb_logger_t *swift_rocksdb_silent_logger(void);

#ifdef __cplusplus
}
#endif

#endif
