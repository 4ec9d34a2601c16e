import CRocksDB
