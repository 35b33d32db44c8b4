package io.campaignpulse;

import java.util.Collection;
import org.apache.flink.state.rocksdb.RocksDBOptionsFactory;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;

/**
 * The job's RocksDB options beyond Flink's configurable ones.
 *
 * <p><b>MANIFEST limit.</b> RocksDB keeps appending to its MANIFEST (the log of which SST files
 * make up the database) until it reaches {@code max_manifest_file_size}, 1 GiB by default, and an
 * incremental checkpoint uploads the whole MANIFEST every time. With a flush per checkpoint it grows
 * by a few hundred bytes per checkpoint and column family, so a job's checkpoints would grow with
 * its age instead of its state. A small limit makes RocksDB start a fresh MANIFEST (holding only
 * the live files) whenever it is reached.
 *
 * <p><b>Flush threads.</b> Flink writes RocksDB without a write-ahead log, so every checkpoint
 * flushes every stateful operator instance's memtables in its synchronous phase, and the task
 * waits (the per-customer and misfire-rate steps flush most of theirs ahead of it while they keep
 * up: {@code eventtime.MemtablePreflush}). Flink gives each database RocksDB's default environment, whose thread pools are shared
 * by every database in the process, and from the default two background jobs RocksDB gives
 * flushes one thread: the flushes of all the TaskManager's instances (fourteen at parallelism 2)
 * then queue on that one thread at every checkpoint, and the per-customer tasks wait for the
 * others'. One flush thread per core lets them run side by side. Compactions keep the threads
 * RocksDB would give them from {@code state.backend.rocksdb.thread.num}.
 */
public final class RocksDbTuning implements RocksDBOptionsFactory {

    private static final long serialVersionUID = 1L;

    /** Bytes a MANIFEST may reach before RocksDB starts a new one. */
    public static final long MAX_MANIFEST_BYTES = 1024 * 1024;

    private final long maxManifestBytes;
    private final int flushThreads;

    /** The job's options (Flink instantiates the factory by its class name): one flush thread per core. */
    public RocksDbTuning() {
        this(MAX_MANIFEST_BYTES, Runtime.getRuntime().availableProcessors());
    }

    public RocksDbTuning(long maxManifestBytes, int flushThreads) {
        this.maxManifestBytes = maxManifestBytes;
        this.flushThreads = flushThreads;
    }

    @Override
    public DBOptions createDBOptions(DBOptions current, Collection<AutoCloseable> handlesToClose) {
        // Setting the flushes switches RocksDB from dividing max_background_jobs itself (a quarter
        // to flushes, at least one) to taking both counts as given, so the compactions are given
        // what its division would have given them.
        int jobs = current.maxBackgroundJobs();
        int flushesOfJobs = Math.max(1, jobs / 4);
        return current.setMaxManifestFileSize(maxManifestBytes)
                .setMaxBackgroundFlushes(Math.max(flushesOfJobs, flushThreads))
                .setMaxBackgroundCompactions(Math.max(1, jobs - flushesOfJobs));
    }

    @Override
    public ColumnFamilyOptions createColumnOptions(
            ColumnFamilyOptions current, Collection<AutoCloseable> handlesToClose) {
        return current;
    }
}
