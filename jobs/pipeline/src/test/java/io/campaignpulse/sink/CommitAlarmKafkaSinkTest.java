package io.campaignpulse.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.Test;

class CommitAlarmKafkaSinkTest {

    /** What the connector's committer did with each request, as Flink would see it. */
    private static final class Recorded implements Committer.CommitRequest<KafkaCommittable> {
        final KafkaCommittable committable;
        final List<String> signals = new ArrayList<>();

        Recorded(String transactionalId) {
            this.committable = new KafkaCommittable(1L, (short) 0, transactionalId, null);
        }

        @Override
        public KafkaCommittable getCommittable() {
            return committable;
        }

        @Override
        public int getNumberOfRetries() {
            return 0;
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            signals.add("known:" + t.getClass().getSimpleName());
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            signals.add("unknown:" + t.getClass().getSimpleName());
        }

        @Override
        public void retryLater() {
            signals.add("retry");
        }

        @Override
        public void updateAndRetryLater(KafkaCommittable c) {
            signals.add("update");
        }

        @Override
        public void signalAlreadyCommitted() {
            signals.add("already");
        }
    }

    @Test
    void everyTransactionTheConnectorGivesUpOnIsCountedAndStillReportedToFlink() throws Exception {
        // A stand-in for the connector's committer: the first commits, the second is fenced, the
        // third was aborted by the broker, the fourth is retried.
        Committer<KafkaCommittable> connector = new Committer<>() {
            @Override
            public void commit(java.util.Collection<CommitRequest<KafkaCommittable>> requests) {
                int i = 0;
                for (CommitRequest<KafkaCommittable> r : requests) {
                    assertThat(r.getCommittable().getTransactionalId()).isEqualTo("tx-" + i);
                    switch (i++) {
                        case 1 -> r.signalFailedWithKnownReason(new ProducerFencedException("fenced"));
                        case 2 -> r.signalFailedWithUnknownReason(new InvalidTxnStateException("aborted"));
                        case 3 -> r.retryLater();
                        default -> {}
                    }
                }
            }

            @Override
            public void close() {}
        };
        SimpleCounter failed = new SimpleCounter();
        List<Recorded> requests =
                List.of(new Recorded("tx-0"), new Recorded("tx-1"), new Recorded("tx-2"), new Recorded("tx-3"));

        new CommitAlarmKafkaSink.AlarmingCommitter(connector, "misfires", failed).commit(new ArrayList<>(requests));

        assertThat(failed.getCount()).isEqualTo(2);
        assertThat(requests.get(0).signals).isEmpty();
        assertThat(requests.get(1).signals).containsExactly("known:ProducerFencedException");
        assertThat(requests.get(2).signals).containsExactly("unknown:InvalidTxnStateException");
        assertThat(requests.get(3).signals).containsExactly("retry");
    }
}
