package io.campaignpulse.bench;

import io.campaignpulse.config.PulseConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * Every topic of the job under a prefix of its own, for a benchmark run that must neither read
 * the measured run's input nor write into its output.
 *
 * @param overrides the configuration keys that rename the topics ({@code topics.<key>})
 * @param renamed each topic's name to its prefixed name
 */
record RenamedTopics(Map<String, String> overrides, Map<String, String> renamed) {

    static RenamedTopics of(PulseConfig.Topics t, String prefix) {
        Map<String, String> byKey = Map.ofEntries(
                Map.entry("campaigns", t.campaigns()),
                Map.entry("campaign-sends", t.campaignSends()),
                Map.entry("customer-holdings", t.customerHoldings()),
                Map.entry("customer-consent", t.customerConsent()),
                Map.entry("tickets", t.tickets()),
                Map.entry("reviews", t.reviews()),
                Map.entry("misfires", t.misfires()),
                Map.entry("alerts", t.alerts()),
                Map.entry("dead-letters", t.deadLetters()),
                Map.entry("campaign-stats", t.campaignStats()),
                Map.entry("suppressions", t.suppressions()),
                Map.entry("control", t.control()));
        Map<String, String> overrides = new HashMap<>();
        Map<String, String> renamed = new HashMap<>();
        byKey.forEach((key, name) -> {
            overrides.put("topics." + key, prefix + name);
            renamed.put(name, prefix + name);
        });
        return new RenamedTopics(Map.copyOf(overrides), Map.copyOf(renamed));
    }
}
