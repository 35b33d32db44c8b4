package io.campaignpulse.sink;

import io.campaignpulse.PulsePipeline;
import io.campaignpulse.attribution.AttributedFeedback;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignStats;
import io.campaignpulse.contract.ControlAudit;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.Misfire;
import io.campaignpulse.contract.Suppression;
import org.apache.flink.streaming.api.datastream.DataStream;

/** The live outputs: exactly-once Kafka topics, and PostgreSQL upserts when enabled. */
public final class LiveSinks implements PulsePipeline.Sinks {

    private final PulseConfig config;
    private final PostgresOutputs postgres;

    public LiveSinks(PulseConfig config) {
        this.config = config;
        this.postgres = config.postgres().enabled() ? new PostgresOutputs(config.postgres()) : null;
    }

    @Override
    public void misfires(DataStream<Misfire> misfires) {
        misfires.sinkTo(KafkaOutputs.sink(
                        config, config.topics().misfires(), Misfire.class, m -> m.getSendId() + "/" + m.getRule()))
                .uid("kafka-sink-misfires")
                .name("Kafka: misfires");
        if (postgres != null) {
            postgres.misfires(misfires);
        }
    }

    @Override
    public void alerts(DataStream<Alert> alerts) {
        alerts.sinkTo(KafkaOutputs.sink(config, config.topics().alerts(), Alert.class, Alert::getAlertId))
                .uid("kafka-sink-alerts")
                .name("Kafka: alerts");
        if (postgres != null) {
            postgres.alerts(alerts);
        }
    }

    @Override
    public void deadLetters(DataStream<DeadLetter> deadLetters) {
        deadLetters
                .sinkTo(KafkaOutputs.sink(
                        config,
                        config.topics().deadLetters(),
                        DeadLetter.class,
                        d -> d.getSourceTopic() + "/" + d.getSourcePartition() + "/" + d.getSourceOffset()))
                .uid("kafka-sink-dead-letters")
                .name("Kafka: dead letters");
        if (postgres != null) {
            postgres.deadLetters(deadLetters);
        }
    }

    @Override
    public void campaignStats(DataStream<CampaignStats> stats) {
        // Compacted topic: the key is the upsert key.
        stats.sinkTo(KafkaOutputs.sink(
                        config,
                        config.topics().campaignStats(),
                        CampaignStats.class,
                        s -> s.getCampaignId() + "/" + s.getWindowEnd()))
                .uid("kafka-sink-campaign-stats")
                .name("Kafka: campaign stats");
        if (postgres != null) {
            postgres.campaignStats(stats);
        }
    }

    @Override
    public void suppressions(DataStream<Suppression> suppressions) {
        // Compacted topic: the key is the entry; a retraction (active = false) replaces it.
        suppressions
                .sinkTo(KafkaOutputs.sink(
                        config,
                        config.topics().suppressions(),
                        Suppression.class,
                        s -> s.getCampaignId() + "/" + s.getCustomerId() + "/" + s.getReason()))
                .uid("kafka-sink-suppressions")
                .name("Kafka: suppressions");
        if (postgres != null) {
            postgres.suppressions(suppressions);
        }
    }

    @Override
    public void campaigns(DataStream<Campaign> campaigns) {
        // The campaigns topic is itself the Kafka record; the dimension table is for BI.
        if (postgres != null) {
            postgres.campaigns(campaigns);
        }
    }

    @Override
    public void controlAudit(DataStream<ControlAudit> audit) {
        // The audit is for people (PostgreSQL); the control topic itself is the log.
        if (postgres != null) {
            postgres.controlAudit(audit);
        }
    }

    @Override
    public void feedbackScores(DataStream<AttributedFeedback> feedback) {
        // Scored feedback is for BI (PostgreSQL); Kafka consumers have the input topics.
        if (postgres != null) {
            postgres.feedbackScores(feedback);
        }
    }

    @Override
    public void complete() {
        if (postgres != null) {
            postgres.attach();
        }
    }
}
