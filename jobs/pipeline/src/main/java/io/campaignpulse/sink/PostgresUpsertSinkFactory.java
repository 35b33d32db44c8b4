package io.campaignpulse.sink;

import java.util.Set;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.util.FunctionUtils;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.InputTypeConfigurable;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.connector.jdbc.core.table.JdbcDynamicTableFactory;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.sink.legacy.RichSinkFunction;
import org.apache.flink.streaming.api.functions.sink.legacy.SinkFunction;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.legacy.SinkFunctionProvider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink's JDBC table sink ({@code 'connector' = 'jdbc'}, same options), whose writer never
 * throws from {@code close()}. The JDBC sink flushes its buffer on close; when the database is
 * down, that throws while the task is already failing, and Flink 2.2 treats an exception in a
 * failing task's clean-up as fatal for the whole TaskManager process (every other job's tasks
 * on it die too). Nothing is lost by not flushing there: the job restarts from its last
 * checkpoint, which flushed everything before it, and writes the rest again (upserts). On a
 * graceful end of input the buffer is flushed in {@code finish()}, where a failure still fails.
 */
public final class PostgresUpsertSinkFactory implements DynamicTableSinkFactory {

    public static final String IDENTIFIER = "campaign-pulse-jdbc";

    private final JdbcDynamicTableFactory jdbc = new JdbcDynamicTableFactory();

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return jdbc.requiredOptions();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return jdbc.optionalOptions();
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        return new QuietlyClosingSink(jdbc.createDynamicTableSink(context));
    }

    static final class QuietlyClosingSink implements DynamicTableSink {
        private final DynamicTableSink delegate;

        QuietlyClosingSink(DynamicTableSink delegate) {
            this.delegate = delegate;
        }

        @Override
        public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
            return delegate.getChangelogMode(requestedMode);
        }

        @Override
        public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
            SinkRuntimeProvider provider = delegate.getSinkRuntimeProvider(context);
            if (provider instanceof SinkFunctionProvider functions) {
                return SinkFunctionProvider.of(
                        new QuietlyClosingSinkFunction(functions.createSinkFunction()),
                        functions.getParallelism().orElse(null));
            }
            throw new IllegalStateException("the JDBC table sink changed its runtime provider: "
                    + provider.getClass().getName() + " (update " + PostgresUpsertSinkFactory.class.getSimpleName()
                    + ")");
        }

        @Override
        public DynamicTableSink copy() {
            return new QuietlyClosingSink(delegate.copy());
        }

        @Override
        public String asSummaryString() {
            return delegate.asSummaryString();
        }
    }

    /** The JDBC sink function, flushed in finish() and closed without throwing. */
    static final class QuietlyClosingSinkFunction extends RichSinkFunction<RowData>
            implements CheckpointedFunction, InputTypeConfigurable {

        private static final Logger LOG = LoggerFactory.getLogger(QuietlyClosingSinkFunction.class);

        private final SinkFunction<RowData> delegate;

        QuietlyClosingSinkFunction(SinkFunction<RowData> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void open(OpenContext openContext) throws Exception {
            FunctionUtils.setFunctionRuntimeContext(delegate, getRuntimeContext());
            FunctionUtils.openFunction(delegate, openContext);
        }

        @Override
        public void invoke(RowData value, Context context) throws Exception {
            delegate.invoke(value, context);
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            ((CheckpointedFunction) delegate).initializeState(context);
        }

        /** Flushes the buffer (the JDBC sink flushes on every snapshot); a failure here fails the task. */
        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            ((CheckpointedFunction) delegate).snapshotState(context);
        }

        @Override
        public void finish() throws Exception {
            ((CheckpointedFunction) delegate).snapshotState(null); // the end of input: flush, and fail if it cannot
            delegate.finish();
        }

        @Override
        public void close() {
            try {
                FunctionUtils.closeFunction(delegate);
            } catch (Exception e) {
                // Only the exception's type: the connector's message quotes the statement and its values.
                LOG.warn(
                        "PostgreSQL sink closed without writing its last rows ({}); they are written again after"
                                + " the restart from the last checkpoint",
                        e.getClass().getSimpleName());
            }
        }

        @Override
        public void setInputType(TypeInformation<?> type, ExecutionConfig executionConfig) {
            if (delegate instanceof InputTypeConfigurable configurable) {
                configurable.setInputType(type, executionConfig);
            }
        }
    }
}
