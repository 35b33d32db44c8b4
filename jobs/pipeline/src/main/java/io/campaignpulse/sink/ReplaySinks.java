package io.campaignpulse.sink;

import io.campaignpulse.PulsePipeline;
import io.campaignpulse.attribution.AttributedFeedback;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignStats;
import io.campaignpulse.contract.ControlAudit;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.Misfire;
import io.campaignpulse.contract.Suppression;
import java.nio.file.Path;
import org.apache.flink.streaming.api.datastream.DataStream;

/** Replay output: misfires.jsonl, alerts.jsonl, dead-letters.jsonl, campaign-stats.jsonl, feedback-scores.jsonl and suppressions.jsonl in one folder. */
public final class ReplaySinks implements PulsePipeline.Sinks {

    private final Path folder;

    public ReplaySinks(Path folder) {
        this.folder = folder;
    }

    @Override
    public void misfires(DataStream<Misfire> misfires) {
        misfires.sinkTo(new JsonLinesSink<>(folder.resolve("misfires.jsonl")))
                .setParallelism(1)
                .uid("replay-sink-misfires")
                .name("File: misfires.jsonl");
    }

    @Override
    public void alerts(DataStream<Alert> alerts) {
        alerts.sinkTo(new JsonLinesSink<>(folder.resolve("alerts.jsonl")))
                .setParallelism(1)
                .uid("replay-sink-alerts")
                .name("File: alerts.jsonl");
    }

    @Override
    public void deadLetters(DataStream<DeadLetter> deadLetters) {
        deadLetters
                .sinkTo(new JsonLinesSink<>(folder.resolve("dead-letters.jsonl")))
                .setParallelism(1)
                .uid("replay-sink-dead-letters")
                .name("File: dead-letters.jsonl");
    }

    @Override
    public void campaigns(DataStream<Campaign> campaigns) {
        campaigns
                .sinkTo(new JsonLinesSink<>(folder.resolve("campaigns.jsonl")))
                .setParallelism(1)
                .uid("replay-sink-campaigns")
                .name("File: campaigns.jsonl");
    }

    @Override
    public void campaignStats(DataStream<CampaignStats> stats) {
        stats.sinkTo(new JsonLinesSink<>(folder.resolve("campaign-stats.jsonl")))
                .setParallelism(1)
                .uid("replay-sink-campaign-stats")
                .name("File: campaign-stats.jsonl");
    }

    @Override
    public void suppressions(DataStream<Suppression> suppressions) {
        suppressions
                .sinkTo(new JsonLinesSink<>(folder.resolve("suppressions.jsonl")))
                .setParallelism(1)
                .uid("replay-sink-suppressions")
                .name("File: suppressions.jsonl");
    }

    @Override
    public void controlAudit(DataStream<ControlAudit> audit) {
        audit.sinkTo(new JsonLinesSink<>(folder.resolve("control-audit.jsonl")))
                .setParallelism(1)
                .uid("replay-sink-control-audit")
                .name("File: control-audit.jsonl");
    }

    @Override
    public void feedbackScores(DataStream<AttributedFeedback> feedback) {
        feedback.sinkTo(new JsonLinesSink<>(folder.resolve("feedback-scores.jsonl")))
                .setParallelism(1)
                .uid("replay-sink-feedback-scores")
                .name("File: feedback-scores.jsonl");
    }
}
