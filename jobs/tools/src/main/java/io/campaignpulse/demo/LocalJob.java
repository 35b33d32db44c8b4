package io.campaignpulse.demo;

import io.campaignpulse.JobEnvironment;
import io.campaignpulse.PulsePipeline;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.sink.LiveSinks;
import io.campaignpulse.source.KafkaSources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.dispatcher.UnavailableDispatcherOperationException;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The live job (Kafka in, Kafka and PostgreSQL out) running in a local Flink MiniCluster, for
 * the demo and the end-to-end tests: start it, tell when it has read everything published,
 * and stop it with a savepoint and drain, which flushes every pending send and window.
 */
public final class LocalJob implements AutoCloseable {

    private final PulseConfig config;
    private final JobClient client;
    private JobExecutionResult result;
    private final Path savepoints;

    private LocalJob(PulseConfig config, JobClient client, Path savepoints) {
        this.config = config;
        this.client = client;
        this.savepoints = savepoints;
    }

    public static LocalJob start(PulseConfig config, Path workDir) throws Exception {
        return start(config, workDir, null);
    }

    /** @param restoreFrom a savepoint to resume from, or null for a fresh start */
    public static LocalJob start(PulseConfig config, Path workDir, String restoreFrom) throws Exception {
        return start(config, workDir, restoreFrom, new Configuration());
    }

    /** @param extra further Flink settings for the local cluster (e.g. a metric reporter) */
    public static LocalJob start(PulseConfig config, Path workDir, String restoreFrom, Configuration extra)
            throws Exception {
        Configuration local = new Configuration(extra);
        if (restoreFrom != null) {
            local.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom);
        }
        local.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                workDir.resolve("checkpoints").toUri().toString());
        local.set(
                CheckpointingOptions.SAVEPOINT_DIRECTORY,
                workDir.resolve("savepoints").toUri().toString());
        StreamExecutionEnvironment env = JobEnvironment.create(config, true, local);
        PulsePipeline.defineWorkflow(env, config, new KafkaSources(), new LiveSinks(config));
        JobClient client = env.executeAsync("campaign-pulse");
        return new LocalJob(config, client, workDir.resolve("savepoints"));
    }

    /** True once the job has committed (on a checkpoint) every offset published to its customer-event topics. */
    public boolean caughtUp() throws Exception {
        return caughtUp(config);
    }

    /** The same, for any job running with this configuration (e.g. one submitted to a cluster). */
    public static boolean caughtUp(PulseConfig config) throws Exception {
        try (Admin admin = Admin.create(config.kafka().clientProperties())) {
            // Every topic of the customer-events source, as the source reads them: the feedback topics
            // end later in event time than the sends, so a check of the sends alone stopped runs
            // before their last tickets and reviews were read.
            List<String> topics = config.topics().customerEvents();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(topics)
                    .allTopicNames()
                    .get()
                    .forEach((name, d) -> d.partitions()
                            .forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(latest).all().get();
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                            KafkaSources.customerEventsGroupId(config))
                    .partitionsToOffsetAndMetadata()
                    .get();
            for (var end : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(end.getKey());
                long done = c == null ? 0 : c.offset();
                if (done < end.getValue().offset()) {
                    return false;
                }
            }
            return true;
        }
    }

    public void awaitCaughtUp(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!caughtUp()) {
            if (terminated()) {
                client.getJobExecutionResult().get(); // throws the job's failure
                throw new IllegalStateException("the job ended before reading all input");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the job did not catch up within " + timeout);
            }
            Thread.sleep(250);
        }
    }

    /** Whether the job has ended; a job still initializing (restoring a savepoint) has not. */
    private boolean terminated() throws Exception {
        try {
            return client.getJobStatus().get().isGloballyTerminalState();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnavailableDispatcherOperationException) {
                return false;
            }
            throw e;
        }
    }

    /** Stops with a savepoint and drain: the final watermark judges every pending send and closes every window. */
    public String stopAndDrain() throws Exception {
        String savepoint = client.stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(2, TimeUnit.MINUTES);
        result = client.getJobExecutionResult().get(2, TimeUnit.MINUTES);
        return savepoint;
    }

    /** Stops with a savepoint, without drain: pending sends and open windows stay in the savepoint for a resumed job. */
    public String stopWithSavepoint() throws Exception {
        String savepoint = client.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(2, TimeUnit.MINUTES);
        client.getJobExecutionResult().get(2, TimeUnit.MINUTES);
        return savepoint;
    }

    /** An accumulator of the finished job (after {@link #stopAndDrain()}), or 0. */
    public long accumulator(String name) {
        Object value = result == null ? null : result.getAccumulatorResult(name);
        return value instanceof Number n ? n.longValue() : 0;
    }

    @Override
    public void close() {
        try {
            if (!client.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                client.cancel().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // Already gone.
        }
    }
}
