package io.campaignpulse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.campaignpulse.Fixtures;
import io.campaignpulse.contract.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private final ConfigLoader loader =
            new ConfigLoader(Map.of("PULSE_POSTGRES_PASSWORD", "s3cret", "KAFKA_BOOTSTRAP_SERVERS", "k1:9092")::get);

    /** Loading with {@code overrides} fails with a message that names {@code key} and mentions {@code why}. */
    private void assertRejected(Map<String, String> overrides, String key, String why) {
        assertThatThrownBy(() -> loader.load(null, overrides))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'" + key + "'")
                .hasMessageContaining(why);
    }

    private PulseConfig load(String yaml) throws Exception {
        Path file = dir.resolve("pulse.yaml");
        Files.writeString(file, yaml);
        return loader.load(file, Map.of());
    }

    @Test
    void theShippedFileIsTheDefaultsAndLoads() {
        PulseConfig shipped = loader.load(Path.of("../../conf/pulse.yaml"), Map.of());
        assertThat(shipped).isEqualTo(loader.defaults());
        assertThat(shipped.misfire().duplicateWindow()).isEqualTo(Duration.ofHours(24));
        assertThat(shipped.misfire().frequencyCap()).isEqualTo(3);
        assertThat(shipped.alerting().misfireRateShare()).isEqualTo(0.01);
        assertThat(shipped.alerting().misfireRateMinCount()).isEqualTo(20);
        assertThat(shipped.kafka().startingOffsets()).isEqualTo(PulseConfig.StartingOffsets.COMMITTED);
    }

    @Test
    void environmentVariablesFillSecretsAndAreNeverPrinted() throws Exception {
        PulseConfig c = load("postgres:\n  url: jdbc:postgresql://db:5432/pulse\n");
        assertThat(c.kafka().bootstrapServers()).isEqualTo("k1:9092");
        assertThat(c.postgres().password()).isEqualTo("s3cret");
        assertThat(c.postgres().toString()).doesNotContain("s3cret");
        assertThat(c.toString()).doesNotContain("s3cret");
    }

    @Test
    void webhooksComeFromTheFileWithTheirSecretsFromTheEnvironmentAndAreValidated() throws Exception {
        PulseConfig c = load("""
                routing:
                  webhooks:
                    - name: cards-chat
                      url: https://chat.example/hooks/${PULSE_POSTGRES_PASSWORD}
                      owners: [cards-team]
                      min-severity: WARNING
                """);
        PulseConfig.Webhook w = c.routing().webhooks().get(0);
        assertThat(w.url()).isEqualTo("https://chat.example/hooks/s3cret");
        assertThat(w.kinds()).isEmpty();
        assertThat(w.owners()).containsExactly("cards-team");
        assertThat(c.toString()).doesNotContain("s3cret");
        assertThatThrownBy(() -> load("routing:\n  webhooks:\n    - name: x\n      url: ftp://nope\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'routing.webhooks[0].url'");
        // A space in the URL: refused at start, and the message never quotes the URL (its secret).
        assertThatThrownBy(() ->
                        load("routing:\n  webhooks:\n    - name: x\n      url: https://chat.example/hooks/se cret\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'routing.webhooks[0].url'")
                .hasMessageNotContaining("cret");
        assertThatThrownBy(
                        () -> load(
                                "routing:\n  webhooks:\n    - name: x\n      url: https://chat.example/h\n      token: \"ab\\ncd\"\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'routing.webhooks[0].token'")
                .hasMessageNotContaining("ab");
        assertThatThrownBy(() ->
                        load("routing:\n  webhooks:\n    - name: x\n      url: http://h\n      min-severity: LOUD\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'routing.webhooks[0].min-severity'");
        assertThat(load("routing:\n  webhooks:\n    - name: x\n      url: http://h\n      format: teams\n")
                        .routing()
                        .webhooks()
                        .get(0)
                        .format())
                .isEqualTo("teams");
        assertThatThrownBy(() -> load("routing:\n  webhooks:\n    - name: x\n      url: http://h\n      format: fax\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'routing.webhooks[0].format'")
                .hasMessageContaining("slack");
        assertThatThrownBy(
                        () -> load(
                                "routing:\n  webhooks:\n    - name: x\n      url: https://events.pagerduty.com/v2/enqueue\n      format: pagerduty\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'routing.webhooks[0].token'");
        PulseConfig mail = load("""
                routing:
                  email:
                    enabled: true
                    smtp-host: smtp.bank.example
                    password: ${PULSE_POSTGRES_PASSWORD}
                    from: pulse@bank.example
                    recipients:
                      - owner: cards-team
                        to: [lead@bank.example]
                      - owner: "*"
                        to: [ops@bank.example]
                """);
        assertThat(mail.routing().email().recipientsOf("cards-team")).containsExactly("lead@bank.example");
        assertThat(mail.routing().email().recipientsOf("savings-team")).containsExactly("ops@bank.example");
        assertThat(mail.routing().email().password()).isEqualTo("s3cret");
        assertThat(mail.toString()).doesNotContain("s3cret");
        assertThatThrownBy(() ->
                        load("routing:\n  email:\n    enabled: true\n    smtp-host: h\n    from: pulse@bank.example\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'routing.email.recipients'");
        assertThatThrownBy(() -> load("routing:\n  email:\n    enabled: true\n    smtp-host: h\n    from: nobody\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'routing.email.from'");
        assertThatThrownBy(() -> load("routing:\n  campaign-url: https://grafana.example/d/x\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'routing.campaign-url'");
    }

    @Test
    void userValuesOverrideDefaultsKeyByKey() throws Exception {
        PulseConfig c = load(
                "misfire:\n  frequency-cap: 5\n  duplicate-window: 90m\nkafka:\n  properties:\n    security.protocol: SASL_SSL\n");
        assertThat(c.misfire().frequencyCap()).isEqualTo(5);
        assertThat(c.misfire().duplicateWindow()).isEqualTo(Duration.ofMinutes(90));
        assertThat(c.misfire().frequencyWindow()).isEqualTo(Duration.ofHours(24));
        assertThat(c.kafka().properties()).containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void theWatermarkIntervalIsBoundedAndReachesTheJob() {
        assertThat(loader.defaults().eventTime().watermarkInterval()).isEqualTo(Duration.ofMillis(50));
        assertRejected(Map.of("event-time.watermark-interval", "1ms"), "event-time.watermark-interval", "at least");
        assertRejected(
                Map.of("event-time.max-publication-delay", "PT-1S"), "event-time.max-publication-delay", "at least");
        assertRejected(
                Map.of("event-time.watermark-interval", "20s", "event-time.idleness", "15s"),
                "event-time.watermark-interval",
                "idleness");
        PulseConfig c = loader.load(null, Map.of("event-time.watermark-interval", "120ms"));
        var env = io.campaignpulse.JobEnvironment.create(c, false, new org.apache.flink.configuration.Configuration());
        assertThat(env.getConfig().getAutoWatermarkInterval()).isEqualTo(120);
    }

    @Test
    void theAlignmentUpdateIntervalIsBoundedByTheDrift() {
        assertThat(loader.defaults().eventTime().alignmentUpdateInterval()).isEqualTo(Duration.ofMillis(20));
        assertRejected(
                Map.of("event-time.alignment-update-interval", "5ms"),
                "event-time.alignment-update-interval",
                "at least");
        assertRejected(
                Map.of("event-time.alignment-update-interval", "2s", "event-time.alignment-max-drift", "1s"),
                "event-time.alignment-update-interval",
                "alignment-max-drift");
    }

    @Test
    void kafkaClientPropertiesCanBeSetOneByOne() {
        PulseConfig c = loader.load(
                null, Map.of("kafka.properties.sasl.mechanism", "SCRAM-SHA-512", "misfire.frequency-cap", "4"));
        assertThat(c.kafka().properties()).containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(c.misfire().frequencyCap()).isEqualTo(4);
    }

    @Test
    void badValuesFailNamingTheKey() {
        assertThatThrownBy(() -> load("misfire:\n  frequency-capp: 5\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("misfire.frequency-capp");
        assertThatThrownBy(() -> load("misfire:\n  frequency-cap: lots\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("misfire.frequency-cap");
        assertThatThrownBy(() -> load("misfire:\n  frequency-cap: 0\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("misfire.frequency-cap");
        assertThatThrownBy(() -> load("event-time:\n  max-out-of-orderness: soon\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("event-time.max-out-of-orderness");
        assertThatThrownBy(() -> load("alerting:\n  misfire-rate-share: 1.5\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerting.misfire-rate-share");
        assertThatThrownBy(() -> load("kafka:\n  starting-offsets: yesterday\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.starting-offsets");
        assertThatThrownBy(() -> load("postgres:\n  url: mysql://x\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("postgres.url");
        assertThatThrownBy(() -> load("kafka:\n  bootstrap-servers: ${NOT_SET_ANYWHERE}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.bootstrap-servers")
                .hasMessageContaining("NOT_SET_ANYWHERE");
        assertThatThrownBy(() -> loader.load(null, Map.of("alerting.window", "0s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerting.window");
        assertThatThrownBy(() -> loader.load(null, Map.of("event-time.campaign-retention", "3d")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'event-time.campaign-retention'")
                .hasMessageContaining("attribution.conversion-window");
        assertThatThrownBy(() -> load("postgres:\n  retention:\n    misfires: forever\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("postgres.retention.misfires");
        assertThatThrownBy(() -> load("postgres:\n  retention:\n    logs: 3d\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("postgres.retention.logs");
        assertThatThrownBy(() -> loader.load(null, Map.of("nope.key", "1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nope.key");
    }

    @Test
    void theDataContractSettingsAreValidatedByNameAndTheRegistrysCredentialsNeverPrinted() throws Exception {
        PulseConfig defaults = loader.defaults();
        assertThat(defaults.contract().wire().outputEncoding()).isEqualTo(WireFormat.Encoding.SINGLE_OBJECT);
        assertThat(defaults.contract().plainBinaryAccepted()).isTrue();
        assertThat(defaults.contract().schemaRegistryUrl()).isEmpty();

        assertThatThrownBy(() -> load("contract:\n  output-encoding: json\n"))
                .hasMessageContaining("'contract.output-encoding'")
                .hasMessageContaining("single-object, plain-binary");
        assertThatThrownBy(() -> load("contract:\n  plain-binary-writer-version: 0\n"))
                .hasMessageContaining("'contract.plain-binary-writer-version'");
        assertThatThrownBy(() -> load("contract:\n  schema-registry-url: ftp://registry\n"))
                .hasMessageContaining("'contract.schema-registry-url'");
        assertThatThrownBy(() -> load("contract:\n  schema-registry-url: http://user:pw@registry:8081\n"))
                .hasMessageContaining("'contract.schema-registry-url'")
                .hasMessageContaining("contract.schema-registry-credentials")
                .hasMessageNotContaining("pw");
        assertThatThrownBy(() -> load("contract:\n  schema-directories: [\"\"]\n"))
                .hasMessageContaining("'contract.schema-directories[0]'");

        PulseConfig withRegistry = load("contract:\n  schema-registry-url: https://registry:8081\n"
                + "  schema-registry-credentials: pulse:hunter2\n  output-encoding: plain-binary\n");
        assertThat(withRegistry.contract().wire().outputEncoding()).isEqualTo(WireFormat.Encoding.PLAIN_BINARY);
        assertThat(withRegistry.toString()).contains("https://registry:8081").doesNotContain("hunter2");
    }

    @Test
    void sentimentAttributionAndRollupSettingsAreValidatedByName() {
        Map<String, String> bad = Map.of(
                "misfire.open-complaint-score", "-1.5",
                "misfire.open-complaint-window", "0s",
                "attribution.window", "0s",
                "rollups.slide", "7h", // does not divide 24h
                "alerting.sentiment-negative-share", "0",
                "alerting.ticket-surge-baseline-factor", "0.5",
                "alerting.ticket-surge-min-sends", "0");
        bad.forEach((key, value) -> assertThatThrownBy(() -> loader.load(null, Map.of(key, value)))
                .as(key)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'" + key + "'"));
        assertThat(loader.load(null, Map.of("rollups.window", "2h", "rollups.slide", "30m"))
                        .rollups()
                        .slide())
                .hasMinutes(30);
    }

    @Test
    void theTransactionTimeoutMustOutlastTheCheckpointsThatCommitIt() {
        PulseConfig defaults = Fixtures.config();
        assertThat(defaults.checkpoints().longestOpenTransaction()).isEqualTo(Duration.ofSeconds(450));
        assertThatThrownBy(() -> Fixtures.config(Map.of("kafka.transaction-timeout", "5m")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "bad value for 'kafka.transaction-timeout': 5m is shorter than a transaction can stay open")
                .hasMessageContaining("= 8m30s");
        assertThatThrownBy(() -> Fixtures.config(Map.of("checkpoints.timeout", "10m")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'kafka.transaction-timeout'");
        assertThat(Fixtures.config(Map.of(
                                "checkpoints.timeout", "10m",
                                "checkpoints.tolerable-failures", "0",
                                "kafka.transaction-timeout", "15m"))
                        .checkpoints()
                        .longestOpenTransaction())
                .isEqualTo(Duration.ofSeconds(630));
    }

    @Test
    void kafkaDeliveryIsExactlyOnceUnlessSaidOtherwise() {
        assertThat(Fixtures.config().kafka().exactlyOnce()).isTrue();
        assertThat(Fixtures.config(Map.of("kafka.delivery", "at-least-once"))
                        .kafka()
                        .exactlyOnce())
                .isFalse();
        assertThatThrownBy(() -> Fixtures.config(Map.of("kafka.delivery", "at-most-once")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("bad value for 'kafka.delivery': one of exactly-once, at-least-once");
    }
}
