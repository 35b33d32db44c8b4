package io.campaignpulse.source;

import io.campaignpulse.PulsePipeline;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.ingest.Backlog;
import io.campaignpulse.ingest.CustomerEventWatermarks;
import io.campaignpulse.ingest.Envelope;
import io.campaignpulse.ingest.EventTimeGuard;
import io.campaignpulse.ingest.InputTopics;
import io.campaignpulse.ingest.JsonLinesFormat;
import io.campaignpulse.ingest.SettlingWatermarks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Bounded input for backtesting: one JSON-lines file per topic in a folder, named after the
 * topic ({@code campaigns.jsonl}, {@code campaign-sends.jsonl}, {@code customer-holdings.jsonl},
 * {@code customer-consent.jsonl}, {@code tickets.jsonl}, {@code reviews.jsonl}, {@code pulse-control.jsonl}).
 * Campaigns and sends are required; the others are optional.
 *
 * <p>Bounded, and independent of timing: no input is ever idle. Campaigns and control hold
 * event time back until their files are read to the end; each customer-event file has its own
 * bounded-out-of-orderness watermark, and the job's event time is their minimum, so as long as
 * each file is ordered within {@code event-time.max-out-of-orderness} nothing is late however
 * fast or slowly each file is read, and the output is the same on every run.
 */
public final class ReplaySources implements PulsePipeline.Sources {

    private final Path folder;

    public ReplaySources(Path folder) {
        this.folder = folder;
    }

    /** The files the replay will read, checked before the job starts. */
    public List<Path> check(PulseConfig config) {
        List<Path> found = new ArrayList<>();
        var t = config.topics();
        for (String topic : List.of(t.campaigns(), t.campaignSends())) {
            Path file = fileOf(topic);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(
                        "replay input " + file + " is missing (campaigns and sends are required)");
            }
            found.add(file);
        }
        for (String topic : List.of(t.customerHoldings(), t.customerConsent(), t.tickets(), t.reviews(), t.control())) {
            if (Files.isRegularFile(fileOf(topic))) {
                found.add(fileOf(topic));
            }
        }
        return found;
    }

    private Path fileOf(String topic) {
        return folder.resolve(topic + ".jsonl");
    }

    @Override
    public DataStream<Envelope> campaigns(StreamExecutionEnvironment env, PulseConfig config) {
        String topic = config.topics().campaigns();
        return file(
                env,
                config,
                topic,
                SettlingWatermarks.strategy(config.eventTime().campaignsSettle(), Backlog.BOUNDED, topic));
    }

    @Override
    public DataStream<Envelope> customerEvents(StreamExecutionEnvironment env, PulseConfig config) {
        var t = config.topics();
        DataStream<Envelope> events = file(
                env,
                config,
                t.campaignSends(),
                CustomerEventWatermarks.strategy(config.eventTime(), Backlog.BOUNDED, false));
        for (String topic : List.of(t.customerHoldings(), t.customerConsent(), t.tickets(), t.reviews())) {
            if (Files.isRegularFile(fileOf(topic))) {
                events = events.union(file(
                        env,
                        config,
                        topic,
                        CustomerEventWatermarks.strategy(config.eventTime(), Backlog.BOUNDED, false)));
            }
        }
        return events;
    }

    @Override
    public DataStream<Envelope> control(StreamExecutionEnvironment env, PulseConfig config) {
        String topic = config.topics().control();
        if (Files.isRegularFile(fileOf(topic))) {
            return file(
                    env,
                    config,
                    topic,
                    SettlingWatermarks.strategy(config.eventTime().campaignsSettle(), Backlog.BOUNDED, topic));
        }
        // No control file: an input that ends at once (Flink's collection source refuses an empty collection).
        return env.fromSequence(0, 0)
                .uid("replay-no-control")
                .name("Replay: no control messages")
                .filter(n -> false)
                .uid("replay-no-control-filter")
                .name("Replay: no control messages")
                .map(n -> (Envelope) null, PulsePipeline.ENVELOPE_TYPE)
                .uid("replay-no-control-envelopes")
                .name("Replay: no control messages");
    }

    private DataStream<Envelope> file(
            StreamExecutionEnvironment env, PulseConfig config, String topic, WatermarkStrategy<Envelope> watermarks) {
        FileSource<Envelope> source = FileSource.forRecordStreamFormat(
                        new JsonLinesFormat(
                                topic, new InputTopics(config.topics()), new EventTimeGuard(config.eventTime())),
                        new org.apache.flink.core.fs.Path(
                                fileOf(topic).toAbsolutePath().toUri()))
                .build();
        return env.fromSource(source, watermarks, "Replay: " + topic)
                .uid("replay-" + topic)
                .setParallelism(1);
    }
}
