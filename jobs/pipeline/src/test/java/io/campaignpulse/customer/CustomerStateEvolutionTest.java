package io.campaignpulse.customer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.campaignpulse.customer.state.CustomerState;
import io.campaignpulse.customer.state.RecentSend;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-customer state evolves like the data contract: a RocksDB savepoint written by an older
 * release, whose {@link CustomerState} had fewer fields, restores into today's type with the new
 * field at its default, through Flink's own restore (the serializer snapshot names the older schema,
 * the schemas are resolved, the state is migrated). The older release is built by the test: Avro
 * generates its state classes from today's schema without its last field ({@code suppressions},
 * which the release that introduced the suppression list added with a default), and the job that
 * writes the savepoint loads them from a jar, ahead of today's classes.
 */
class CustomerStateEvolutionTest {

    /** The customer operator's uid in the job graph (PulsePipeline). */
    private static final String UID = "customer-misfire-detector";

    private static final Duration TTL = Duration.ofDays(400);

    @TempDir
    Path dir;

    @Test
    void aSavepointOfAnOlderReleaseWhoseStateHadFewerFieldsRestoresWithTheNewFieldDefaulted() throws Exception {
        Schema older = withoutLastField(CustomerState.getClassSchema(), "suppressions");
        Path release = OlderRelease.build(dir.resolve("older"), older, writer("1000L", ""));

        List<String> restored = readWithTodaysType(writeSavepoint(release));

        assertThat(restored)
                .containsExactlyInAnyOrder(
                        "cust-1 holdings={CARD-PLAT=ACTIVE@1000} sends=[s-1@2000] suppressions={}",
                        "cust-2 holdings={CARD-GOLD=CLOSED@1000} sends=[s-2@2000] suppressions={}");
    }

    @Test
    void aSavepointWhoseStateCannotBeReadAsTodaysTypeIsRefusedNotMisread() throws Exception {
        // A release whose holdings' changed_at was a string: no schema resolution makes it a long.
        Schema incompatible = new Schema.Parser()
                .parse(CustomerState.getClassSchema()
                        .toString()
                        .replace(
                                "{\"name\":\"changed_at\",\"type\":\"long\"}",
                                "{\"name\":\"changed_at\",\"type\":\"string\"}"));
        assertThat(incompatible.toString())
                .isNotEqualTo(CustomerState.getClassSchema().toString());
        Path release =
                OlderRelease.build(dir.resolve("incompatible"), incompatible, writer("\"1000\"", ", new HashMap<>()"));
        String savepoint = writeSavepoint(release);

        assertThatThrownBy(() -> readWithTodaysType(savepoint)).hasStackTraceContaining("incompatible");
    }

    /**
     * The savepoint bootstrap function of the older release: the customer operator's state for two
     * customers, with the same descriptor (name, TTL) as the job's.
     */
    private static Map<String, String> writer(String changedAt, String moreFields) {
        return Map.of("io/campaignpulse/olderrelease/WriteCustomers", """
                package io.campaignpulse.olderrelease;

                import io.campaignpulse.contract.HoldingStatus;
                import io.campaignpulse.customer.state.CustomerState;
                import io.campaignpulse.customer.state.HoldingFact;
                import io.campaignpulse.customer.state.RecentSend;
                import java.time.Duration;
                import java.util.ArrayList;
                import java.util.HashMap;
                import java.util.List;
                import java.util.Map;
                import org.apache.flink.api.common.functions.OpenContext;
                import org.apache.flink.api.common.state.StateTtlConfig;
                import org.apache.flink.api.common.state.ValueState;
                import org.apache.flink.api.common.state.ValueStateDescriptor;
                import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
                import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;

                public class WriteCustomers extends KeyedStateBootstrapFunction<String, Long> {
                    private transient ValueState<CustomerState> customer;

                    @Override
                    public void open(OpenContext context) {
                        ValueStateDescriptor<CustomerState> d =
                                new ValueStateDescriptor<>("customer", new AvroTypeInfo<>(CustomerState.class));
                        d.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofDays(400))
                                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                                .build());
                        customer = getRuntimeContext().getState(d);
                    }

                    @Override
                    public void processElement(Long n, Context context) throws Exception {
                        Map<String, HoldingFact> holdings = new HashMap<>();
                        holdings.put(n == 1 ? "CARD-PLAT" : "CARD-GOLD",
                                new HoldingFact(n == 1 ? HoldingStatus.ACTIVE : HoldingStatus.CLOSED, CHANGED_AT));
                        List<RecentSend> sends = new ArrayList<>();
                        sends.add(new RecentSend("s-" + n, "C-1", 2000L, true, null));
                        customer.update(new CustomerState(holdings, new HashMap<>(), sends, new HashMap<>() MORE));
                    }
                }
                """.replace("CHANGED_AT", changedAt)
                .replace(" MORE", moreFields));
    }

    /** The older release's job: two customers' state under the customer operator's uid. */
    private String writeSavepoint(Path release) throws Exception {
        String path = dir.resolve("savepoint-" + release.getParent().getFileName())
                .toUri()
                .toString();
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.JARS, List.of(release.toUri().toString()));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        @SuppressWarnings("unchecked")
        KeyedStateBootstrapFunction<String, Long> function;
        try (var loader = new URLClassLoader(
                new URL[] {release.toUri().toURL()}, getClass().getClassLoader())) {
            function = (KeyedStateBootstrapFunction<String, Long>)
                    loader.loadClass("io.campaignpulse.olderrelease.WriteCustomers")
                            .getConstructor()
                            .newInstance();
        }
        SavepointWriter.newSavepoint(env, new EmbeddedRocksDBStateBackend(), 128)
                .withOperator(
                        OperatorIdentifier.forUid(UID),
                        OperatorTransformation.bootstrapWith(env.fromSequence(1, 2))
                                .keyBy(n -> "cust-" + n, Types.STRING)
                                .transform(function))
                .write(path);
        env.execute("the older release writes a savepoint");
        // The State Processor API finishes "successfully" with an empty savepoint when the bootstrap
        // function fails to open: make sure state was written.
        assertThat(Files.size(Path.of(URI.create(path)).resolve("_metadata")))
                .as("the savepoint holds the customers' state")
                .isGreaterThan(500);
        return path;
    }

    private static List<String> readWithTodaysType(String savepoint) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        List<String> out = new ArrayList<>();
        try (CloseableIterator<String> rows = SavepointReader.read(env, savepoint, new EmbeddedRocksDBStateBackend())
                .readKeyedState(OperatorIdentifier.forUid(UID), new ReadCustomer(), Types.STRING, Types.STRING)
                .executeAndCollect()) {
            rows.forEachRemaining(out::add);
        }
        return out;
    }

    private static Schema withoutLastField(Schema schema, String expectedName) {
        List<Schema.Field> fields = schema.getFields();
        assertThat(fields.get(fields.size() - 1).name()).isEqualTo(expectedName);
        List<Schema.Field> kept = new ArrayList<>();
        for (Schema.Field f : fields.subList(0, fields.size() - 1)) {
            kept.add(new Schema.Field(f, f.schema()));
        }
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, kept);
    }

    /** Today's job reading the customer operator's state with today's descriptor. */
    private static final class ReadCustomer extends KeyedStateReaderFunction<String, String> {
        private transient ValueState<CustomerState> customer;

        @Override
        public void open(OpenContext context) {
            customer = getRuntimeContext().getState(CustomerProcessor.customerDescriptor(TTL));
        }

        @Override
        public void readKey(String id, Context context, Collector<String> out) throws Exception {
            CustomerState s = customer.value();
            Map<String, String> holdings = new TreeMap<>();
            s.getHoldings()
                    .forEach((product, fact) -> holdings.put(product, fact.getStatus() + "@" + fact.getChangedAt()));
            List<String> sends = new ArrayList<>();
            for (RecentSend r : s.getRecentSends()) {
                sends.add(r.getSendId() + "@" + r.getSentAt());
            }
            out.collect(id + " holdings=" + holdings + " sends=" + sends + " suppressions=" + s.getSuppressions());
        }
    }
}
