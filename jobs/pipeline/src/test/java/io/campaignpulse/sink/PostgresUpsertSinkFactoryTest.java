package io.campaignpulse.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.sink.legacy.RichSinkFunction;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.api.Test;

/** The JDBC sink's wrapper: a failing flush fails a snapshot or the end of input, never a close. */
class PostgresUpsertSinkFactoryTest {

    /** Stands in for the JDBC sink function: flushes on snapshot and on close, and the database is down. */
    static final class DatabaseDown extends RichSinkFunction<RowData> implements CheckpointedFunction {
        final List<String> calls = new ArrayList<>();

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            calls.add("flush");
            throw new IllegalStateException("Writing records to JDBC failed.");
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {
            calls.add("init");
        }

        @Override
        public void close() {
            calls.add("close");
            throw new IllegalStateException("Writing records to JDBC failed.");
        }
    }

    @Test
    void closeNeverThrowsButSnapshotsAndTheEndOfInputStillFail() {
        DatabaseDown jdbc = new DatabaseDown();
        var sink = new PostgresUpsertSinkFactory.QuietlyClosingSinkFunction(jdbc);
        assertThatThrownBy(() -> sink.snapshotState(null)).as("a checkpoint cannot complete without the rows written");
        assertThatThrownBy(sink::finish).as("a graceful end of input flushes, and fails if it cannot");
        assertThatCode(sink::close)
                .as("closing a failing task must not throw: Flink 2.2 makes that fatal for the TaskManager")
                .doesNotThrowAnyException();
        assertThat(jdbc.calls).containsExactly("flush", "flush", "close");
    }
}
