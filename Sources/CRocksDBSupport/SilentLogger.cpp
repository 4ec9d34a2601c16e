#include "CRocksDBSupport.h"

#include <cstdarg>
#include <memory>

#include <rocksdb/env.h>

// The C API wraps a logger in this struct (rocksdb's c.cc), which rocksdb_options_set_info_log
// unwraps; the C API of RocksDB 7.8 has no function that makes one.
struct rocksdb_logger_t {
    std::shared_ptr<rocksdb::Logger> rep;
};

namespace {

// Drops every message. RocksDB's file logger cannot be used after a write to it failed (a full
// disk): with assertions on, as Debian builds RocksDB 7.8, the next message aborts the process.
class SilentLogger final : public rocksdb::Logger {
public:
    SilentLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::HEADER_LEVEL) {}
    using rocksdb::Logger::Logv;
    void Logv(const char *, va_list) override {}
};

}  // namespace

extern "C" rocksdb_logger_t *swift_rocksdb_silent_logger(void) {
    static rocksdb_logger_t *const logger = new rocksdb_logger_t{std::make_shared<SilentLogger>()};
    return logger;
}
