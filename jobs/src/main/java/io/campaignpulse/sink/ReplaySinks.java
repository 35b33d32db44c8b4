package io.campaignpulse.sink;

import io.campaignpulse.PulsePipeline;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.Misfire;
import java.nio.file.Path;
import org.apache.flink.streaming.api.datastream.DataStream;

/** Replay output: misfires.jsonl, alerts.jsonl and dead-letters.jsonl in one folder. */
public final class ReplaySinks implements PulsePipeline.Sinks {

    private final Path folder;

    public ReplaySinks(Path folder) {
        this.folder = folder;
    }

    @Override
    public void misfires(DataStream<Misfire> misfires) {
        misfires.sinkTo(new JsonLinesSink<>(folder.resolve("misfires.jsonl"))).setParallelism(1)
                .uid("replay-sink-misfires").name("File: misfires.jsonl");
    }

    @Override
    public void alerts(DataStream<Alert> alerts) {
        alerts.sinkTo(new JsonLinesSink<>(folder.resolve("alerts.jsonl"))).setParallelism(1)
                .uid("replay-sink-alerts").name("File: alerts.jsonl");
    }

    @Override
    public void deadLetters(DataStream<DeadLetter> deadLetters) {
        deadLetters.sinkTo(new JsonLinesSink<>(folder.resolve("dead-letters.jsonl"))).setParallelism(1)
                .uid("replay-sink-dead-letters").name("File: dead-letters.jsonl");
    }
}
