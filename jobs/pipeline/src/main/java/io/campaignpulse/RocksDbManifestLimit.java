package io.campaignpulse;

import java.util.Collection;
import org.apache.flink.state.rocksdb.RocksDBOptionsFactory;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;

/**
 * RocksDB keeps appending to its MANIFEST (the log of which SST files make up the database) until
 * it reaches {@code max_manifest_file_size}, 1 GiB by default, and an incremental checkpoint
 * uploads the whole MANIFEST every time. With a flush per checkpoint it grows by a few hundred
 * bytes per checkpoint and column family, so a job's checkpoints would grow with its age instead
 * of its state. A small limit makes RocksDB start a fresh MANIFEST (holding only the live files)
 * whenever it is reached.
 */
public final class RocksDbManifestLimit implements RocksDBOptionsFactory {

    private static final long serialVersionUID = 1L;

    /** Bytes a MANIFEST may reach before RocksDB starts a new one. */
    public static final long MAX_MANIFEST_BYTES = 1024 * 1024;

    private final long maxManifestBytes;

    /** The job's limit (Flink instantiates the factory by its class name). */
    public RocksDbManifestLimit() {
        this(MAX_MANIFEST_BYTES);
    }

    public RocksDbManifestLimit(long maxManifestBytes) {
        this.maxManifestBytes = maxManifestBytes;
    }

    @Override
    public DBOptions createDBOptions(DBOptions current, Collection<AutoCloseable> handlesToClose) {
        return current.setMaxManifestFileSize(maxManifestBytes);
    }

    @Override
    public ColumnFamilyOptions createColumnOptions(
            ColumnFamilyOptions current, Collection<AutoCloseable> handlesToClose) {
        return current;
    }
}
