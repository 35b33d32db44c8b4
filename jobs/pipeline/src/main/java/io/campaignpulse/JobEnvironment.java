package io.campaignpulse;

import io.campaignpulse.config.PulseConfig;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The execution settings every Campaign Pulse job runs with, on a cluster or locally. */
public final class JobEnvironment {

    /**
     * What the local launcher adds to every job it runs in-process (a metric reporter), and the
     * line it prints when one starts. Empty unless the launcher set it: never on a cluster,
     * whose own configuration has the reporters.
     */
    private static volatile Configuration localCluster = new Configuration();

    private static volatile String localAnnouncement;

    private JobEnvironment() {}

    /** Called by the local launcher before it runs a command. */
    public static void forLocalRuns(Configuration settings, String announcement) {
        localCluster = new Configuration(settings);
        localAnnouncement = announcement;
    }

    /**
     * @param config the job configuration
     * @param checkpointing false for bounded replays, which need no recovery
     * @param extra further Flink settings (the demo's and tests' local cluster), may be empty
     */
    public static StreamExecutionEnvironment create(PulseConfig config, boolean checkpointing, Configuration extra) {
        Configuration flink = new Configuration();
        // Every record and state type is Avro or a Flink type: a Kryo fallback is a bug, so fail fast.
        flink.set(PipelineOptions.GENERIC_TYPES, false);
        // Chained operators hand records on without a defensive copy (a deep Avro or RowData copy
        // per record and operator). Safe here: no step changes a record it received or emitted,
        // and the records a step keeps on the heap (waiting events, broadcast campaigns) come
        // from the network, which deserializes a new object each time.
        flink.set(PipelineOptions.OBJECT_REUSE, true);
        flink.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, config.eventTime().watermarkInterval());
        flink.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        flink.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        // Most state reads are point lookups of one customer's entry, often of one that is not
        // there (a new customer, an empty event buffer): a bloom filter answers those without
        // reading the SST files.
        flink.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        // Checkpoints that grow with the state, not with the job's age, and whose flushes do not
        // queue behind each other on one thread (see RocksDbTuning).
        flink.set(RocksDBOptions.OPTIONS_FACTORY, RocksDbTuning.class.getName());
        // RocksDB's block cache and write buffers live in managed memory. A local cluster's default
        // (128 MB for every operator of every slot) keeps the write buffers so small that RocksDB
        // flushes tiny files and stalls writes while it compacts them. (A real cluster sizes its
        // TaskManagers itself: conf/flink/config.yaml; this setting only sizes a local one.)
        flink.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("1g"));
        if (checkpointing) {
            flink.set(
                    CheckpointingOptions.CHECKPOINTING_INTERVAL,
                    config.checkpoints().interval());
            flink.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
            // The job's timeout and tolerance win over the cluster's, like its interval: together
            // they bound how long a Kafka transaction stays open, which the configuration check
            // compares with kafka.transaction-timeout.
            flink.set(
                    CheckpointingOptions.CHECKPOINTING_TIMEOUT,
                    config.checkpoints().timeout());
            flink.set(
                    CheckpointingOptions.TOLERABLE_FAILURE_NUMBER,
                    config.checkpoints().tolerableFailures());
            flink.set(
                    CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
            if (!config.checkpoints().directory().isBlank()) {
                flink.set(
                        CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                        config.checkpoints().directory());
            }
        }
        flink.addAll(localCluster);
        flink.addAll(extra);
        if (localAnnouncement != null) {
            System.err.println(localAnnouncement);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        if (config.parallelism() > 0) {
            env.setParallelism(config.parallelism());
        }
        return env;
    }
}
