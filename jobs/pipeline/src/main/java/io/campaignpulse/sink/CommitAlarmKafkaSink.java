package io.campaignpulse.sink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.lineage.LineageVertex;
import org.apache.flink.streaming.api.lineage.LineageVertexProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink's exactly-once {@link KafkaSink}, unchanged, except that a transaction its committer
 * gives up on is counted ({@code kafkaCommitsFailed} on the committer, so an alert can watch it)
 * and logged at ERROR by us with what it means. A transaction of a completed checkpoint that
 * cannot be committed (aborted by the broker after {@code transaction.timeout.ms}, its producer
 * fenced, in an invalid state) is dropped by the connector and the job carries on: its records
 * are lost unless an earlier attempt had already committed it. The connector logs some of these
 * cases at WARN only (a fenced producer during recovery), which is where a too-long outage shows.
 */
public final class CommitAlarmKafkaSink<IN>
        implements TwoPhaseCommittingStatefulSink<IN, KafkaWriterState, KafkaCommittable>,
                SupportsPostCommitTopology<KafkaCommittable>,
                LineageVertexProvider {

    private static final long serialVersionUID = 1L;

    private final KafkaSink<IN> sink;
    private final String topic;

    public CommitAlarmKafkaSink(KafkaSink<IN> sink, String topic) {
        this.sink = sink;
        this.topic = topic;
    }

    @Override
    public PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> createWriter(
            WriterInitContext context) throws IOException {
        return sink.createWriter(context);
    }

    @Override
    public PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> restoreWriter(
            WriterInitContext context, Collection<KafkaWriterState> recoveredState) {
        return sink.restoreWriter(context, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
        return sink.getWriterStateSerializer();
    }

    @Override
    public Committer<KafkaCommittable> createCommitter(CommitterInitContext context) throws IOException {
        return new AlarmingCommitter(
                sink.createCommitter(context), topic, context.metricGroup().counter("kafkaCommitsFailed"));
    }

    @Override
    public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
        return sink.getCommittableSerializer();
    }

    @Override
    public void addPostCommitTopology(DataStream<CommittableMessage<KafkaCommittable>> committables) {
        sink.addPostCommitTopology(committables);
    }

    @Override
    public LineageVertex getLineageVertex() {
        return sink.getLineageVertex();
    }

    /** Passes every request to the connector's committer, watching how each ends. */
    static final class AlarmingCommitter implements Committer<KafkaCommittable> {

        private static final Logger LOG = LoggerFactory.getLogger(CommitAlarmKafkaSink.class);

        private final Committer<KafkaCommittable> committer;
        private final String topic;
        private final Counter failed;

        AlarmingCommitter(Committer<KafkaCommittable> committer, String topic, Counter failed) {
            this.committer = committer;
            this.topic = topic;
            this.failed = failed;
        }

        @Override
        public void commit(Collection<CommitRequest<KafkaCommittable>> requests)
                throws IOException, InterruptedException {
            List<CommitRequest<KafkaCommittable>> watched = new ArrayList<>(requests.size());
            for (CommitRequest<KafkaCommittable> r : requests) {
                watched.add(new WatchedRequest(r));
            }
            committer.commit(watched);
        }

        @Override
        public void close() throws Exception {
            committer.close();
        }

        void failed(KafkaCommittable committable, Throwable cause) {
            failed.inc();
            // The transactional id and the exception's type only: never a record's content.
            LOG.error(
                    "Kafka topic {}: the transaction {} of a completed checkpoint could not be committed ({}); its"
                            + " records are LOST unless an earlier attempt had already committed it. Most likely the"
                            + " job was down or stuck for longer than kafka.transaction-timeout; compare the topic"
                            + " with the misfires table, or reprocess from the source offsets of the checkpoint"
                            + " before this one.",
                    topic,
                    committable.getTransactionalId(),
                    cause == null ? "no cause given" : cause.getClass().getName());
        }

        /** A request whose failure signals raise the alarm before reaching Flink. */
        private final class WatchedRequest implements CommitRequest<KafkaCommittable> {
            private final CommitRequest<KafkaCommittable> request;

            WatchedRequest(CommitRequest<KafkaCommittable> request) {
                this.request = request;
            }

            @Override
            public KafkaCommittable getCommittable() {
                return request.getCommittable();
            }

            @Override
            public int getNumberOfRetries() {
                return request.getNumberOfRetries();
            }

            @Override
            public void signalFailedWithKnownReason(Throwable t) {
                failed(request.getCommittable(), t);
                request.signalFailedWithKnownReason(t);
            }

            @Override
            public void signalFailedWithUnknownReason(Throwable t) {
                failed(request.getCommittable(), t);
                request.signalFailedWithUnknownReason(t);
            }

            @Override
            public void retryLater() {
                request.retryLater();
            }

            @Override
            public void updateAndRetryLater(KafkaCommittable committable) {
                request.updateAndRetryLater(committable);
            }

            @Override
            public void signalAlreadyCommitted() {
                request.signalAlreadyCommitted();
            }
        }
    }
}
