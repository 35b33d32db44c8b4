package io.campaignpulse.cli;

import io.campaignpulse.config.ConfigLoader;
import io.campaignpulse.config.PulseConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The configuration options every command shares. */
public final class ConfigOptions {

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "Job configuration (YAML). Default: conf/pulse.yaml if present, else the built-in defaults.")
    public Path file;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description =
                    "Override one configuration key, e.g. --set kafka.bootstrap-servers=broker:9092 (repeatable).")
    public Map<String, String> overrides = new LinkedHashMap<>();

    public PulseConfig load() {
        return load(Map.of());
    }

    /** @param forced overrides that the command itself needs (the demo's ports), applied last */
    public PulseConfig load(Map<String, String> forced) {
        Path chosen = file;
        if (chosen == null && Files.isRegularFile(Path.of("conf", "pulse.yaml"))) {
            chosen = Path.of("conf", "pulse.yaml");
        }
        if (file != null && !Files.isRegularFile(file)) {
            throw new IllegalArgumentException("config file " + file + " does not exist");
        }
        Map<String, String> all = new LinkedHashMap<>(overrides);
        all.putAll(forced);
        return new ConfigLoader().load(chosen, all);
    }
}
