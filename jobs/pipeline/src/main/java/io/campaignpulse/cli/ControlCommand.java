package io.campaignpulse.cli;

import io.campaignpulse.alerting.AlertControls;
import io.campaignpulse.config.AlertSetting;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.ControlScope;
import io.campaignpulse.contract.WireFormat;
import io.campaignpulse.ingest.AvroJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Writes one control message to the control topic: mute or unmute alerts, or change thresholds
 * and cooldowns, for one campaign, one alert kind, or everything. The message is checked here
 * with the job's own validation first, so a typo fails at the terminal, not in the job.
 */
@Command(
        name = "control",
        mixinStandardHelpOptions = true,
        description = {
            "Change alerting at runtime: mute, unmute, thresholds and cooldowns, for a campaign, an alert kind, or all.",
            "Example: pulse control --campaign C-PLAT --mute --reason 'fixing the audience'"
        })
public final class ControlCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Spec
    CommandSpec spec;

    static final class Scope {
        @Option(names = "--campaign", paramLabel = "CAMPAIGN_ID", description = "Apply to one campaign.")
        String campaign;

        @Option(
                names = "--kind",
                paramLabel = "KIND",
                description = "Apply to one alert kind: MISFIRE_RATE, SENTIMENT_DROP or TICKET_SURGE.")
        String kind;

        @Option(names = "--global", description = "Apply to all alerts.")
        boolean global;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Scope scope;

    @Option(names = "--mute", description = "Withhold the scope's alert messages (incidents are still tracked).")
    boolean mute;

    @Option(names = "--unmute", description = "Publish the scope's alert messages again.")
    boolean unmute;

    @Option(
            names = {"-s", "--setting"},
            paramLabel = "NAME=VALUE",
            description = "Set a setting, e.g. -s cooldown=30m (repeatable).")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--reset", paramLabel = "NAME", description = "Drop this scope's value of a setting (repeatable).")
    List<String> resets = List.of();

    @Option(names = "--reason", description = "Why (shown in the audit table).")
    String reason;

    @Option(names = "--author", description = "Who (default: the user name).")
    String author = System.getProperty("user.name", "unknown");

    @Option(names = "--dry-run", description = "Check and print the message, do not send it.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        if (mute && unmute) {
            throw new IllegalArgumentException("--mute and --unmute cannot go together");
        }
        ControlMessage message = message();
        String why = AlertControls.validate(message);
        if (why != null) {
            throw new IllegalArgumentException("control message rejected: " + why);
        }
        String summary = AvroJson.MAPPER.writeValueAsString(new TreeMap<>(message.getSettings()));
        String scopeText = message.getScope() + (message.getTarget() == null ? "" : " " + message.getTarget());
        if (dryRun) {
            spec.commandLine()
                    .getOut()
                    .println("control: would send " + message.getControlId() + " (" + scopeText + ": " + summary + ")");
            spec.commandLine().getOut().flush();
            return 0;
        }
        PulseConfig config = configOptions.load();
        send(config, message);
        spec.commandLine()
                .getOut()
                .println("control: sent " + message.getControlId() + " to "
                        + config.topics().control() + " (" + scopeText + ": " + summary
                        + "); the job echoes it to the control_audit table");
        spec.commandLine().getOut().flush();
        return 0;
    }

    ControlMessage message() {
        Map<String, String> all = new LinkedHashMap<>(settings);
        if (mute) {
            all.put("mute", "true");
        }
        if (unmute) {
            all.put("mute", "");
        }
        resets.forEach(setting -> all.put(setting, ""));
        ControlScope s =
                scope.global ? ControlScope.GLOBAL : scope.kind != null ? ControlScope.KIND : ControlScope.CAMPAIGN;
        String target = scope.global ? null : scope.kind != null ? scope.kind : scope.campaign;
        return ControlMessage.newBuilder()
                .setControlId("ctl-" + UUID.randomUUID())
                .setScope(s)
                .setTarget(target)
                .setSettings(all)
                .setAuthor(author)
                .setReason(reason)
                .setIssuedAt(Instant.now())
                .build();
    }

    /** Writes the message to the control topic and waits for the broker's acknowledgement. */
    public static void send(PulseConfig config, ControlMessage message) throws Exception {
        Properties props = config.kafka().clientProperties();
        props.put("bootstrap.servers", config.kafka().bootstrapServers());
        props.put("acks", "all");
        props.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        props.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            producer.send(new ProducerRecord<>(
                            config.topics().control(),
                            message.getControlId().getBytes(StandardCharsets.UTF_8),
                            WireFormat.singleObject(message)))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** Lists the settings in the help from their declarations ({@link PulseCli#commandLine()} calls it). */
    static void listSettings(CommandSpec control) {
        List<String> lines = new ArrayList<>(List.of(control.usageMessage().description()));
        lines.add(1, "Settings: " + AlertSetting.names() + ".");
        control.usageMessage().description(lines.toArray(String[]::new));
    }
}
