package io.campaignpulse;

import io.campaignpulse.alerting.AlertBroadcast;
import io.campaignpulse.alerting.AlertControls;
import io.campaignpulse.alerting.AlertRouter;
import io.campaignpulse.alerting.AlertSignal;
import io.campaignpulse.alerting.ControlValidator;
import io.campaignpulse.alerting.EmailDelivery;
import io.campaignpulse.alerting.EmailDigest;
import io.campaignpulse.alerting.EmailMessage;
import io.campaignpulse.alerting.IncidentTracker;
import io.campaignpulse.alerting.InputHorizon;
import io.campaignpulse.alerting.MisfireRateAlerter;
import io.campaignpulse.alerting.SentimentAlerter;
import io.campaignpulse.alerting.WebhookCall;
import io.campaignpulse.alerting.WebhookDelivery;
import io.campaignpulse.attribution.AttributedFeedback;
import io.campaignpulse.campaign.CampaignDirectory;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignStats;
import io.campaignpulse.contract.ControlAudit;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.Misfire;
import io.campaignpulse.contract.Suppression;
import io.campaignpulse.customer.CustomerProcessor;
import io.campaignpulse.customer.NeverIdle;
import io.campaignpulse.eventtime.InMemoryTimersOperator;
import io.campaignpulse.eventtime.MemtablePreflush;
import io.campaignpulse.ingest.DeadLetterSplitter;
import io.campaignpulse.ingest.Envelope;
import io.campaignpulse.ingest.EventTimes;
import io.campaignpulse.ingest.FinalWatermark;
import io.campaignpulse.misfire.SendVerdict;
import io.campaignpulse.rollup.CampaignRollups;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * The Campaign Pulse workflow: sources → decode (bad records to dead letters) → per-customer
 * misfire detection, feedback scoring and attribution (one keyed step) → misfire records,
 * per-campaign misfire alerts, roll-ups in SQL and sentiment alerts → sinks. The cluster job, the
 * demo, replay and the tests all run this same workflow with their own sources and sinks.
 */
public final class PulsePipeline {

    /** Where the input comes from: Kafka, replay files, or a test's records. */
    public interface Sources {
        /** Decoded campaigns (or their dead letters), with watermarks that never hold event time back once settled. */
        DataStream<Envelope> campaigns(StreamExecutionEnvironment env, PulseConfig config);

        /** Decoded sends, holding and consent changes, tickets and reviews (or their dead letters), with event-time watermarks. */
        DataStream<Envelope> customerEvents(StreamExecutionEnvironment env, PulseConfig config);

        /** Decoded control messages (or their dead letters); idle, never holding event time back. */
        DataStream<Envelope> control(StreamExecutionEnvironment env, PulseConfig config);
    }

    /** Where the output goes. Each method attaches a sink with its own uid. */
    public interface Sinks {
        /** Valid campaign records as read: the campaigns dimension for BI. */
        void campaigns(DataStream<Campaign> campaigns);

        void misfires(DataStream<Misfire> misfires);

        void alerts(DataStream<Alert> alerts);

        void deadLetters(DataStream<DeadLetter> deadLetters);

        /** Per-campaign roll-ups, one record per campaign and completed window. */
        void campaignStats(DataStream<CampaignStats> stats);

        /** The live suppression list: entries and their retractions. */
        void suppressions(DataStream<Suppression> suppressions);

        /** Every scored ticket message and review, with its campaign and the scorer's version. */
        void feedbackScores(DataStream<AttributedFeedback> feedback);

        /** Every control message read, accepted or rejected. */
        void controlAudit(DataStream<ControlAudit> audit);

        /** Called once all sinks are attached (for sinks that must be finalised together). */
        default void complete() {}
    }

    public static final TypeInformation<Misfire> MISFIRE_TYPE = new AvroTypeInfo<>(Misfire.class);
    public static final TypeInformation<Alert> ALERT_TYPE = new AvroTypeInfo<>(Alert.class);
    public static final TypeInformation<AlertSignal> SIGNAL_TYPE = new AvroTypeInfo<>(AlertSignal.class);
    public static final TypeInformation<ControlMessage> CONTROL_TYPE = new AvroTypeInfo<>(ControlMessage.class);
    public static final TypeInformation<AlertBroadcast> ALERT_BROADCAST_TYPE = new AvroTypeInfo<>(AlertBroadcast.class);
    public static final TypeInformation<Campaign> CAMPAIGN_TYPE = new AvroTypeInfo<>(Campaign.class);
    public static final TypeInformation<SendVerdict> VERDICT_TYPE = new AvroTypeInfo<>(SendVerdict.class);
    public static final TypeInformation<Envelope> ENVELOPE_TYPE = new AvroTypeInfo<>(Envelope.class);

    private PulsePipeline() {}

    /**
     * The customer events with a {@link FinalWatermark} chained to their source: a drained or
     * finished input ends event time even when all its partitions were idle. Only this input: its
     * end of event time reaches every step in order, through the steps that act on it; an end of
     * event time on the campaigns or control input could reach an alerting step before the
     * records the customer events' end still produces there.
     */
    private static DataStream<Envelope> endingEventTimeAtTheEnd(DataStream<Envelope> customerEvents) {
        return customerEvents
                .transform("Customer events: end of event time at the end", ENVELOPE_TYPE, new FinalWatermark<>())
                .setParallelism(customerEvents.getParallelism())
                .uid("final-watermark-customer-events");
    }

    /** One of the per-customer step's outputs, chained to it, without its idleness. */
    private static <T> DataStream<T> neverIdle(DataStream<T> output, String name) {
        return output.transform("Per-customer " + name + ": never idle", output.getType(), new NeverIdle<>())
                .setParallelism(output.getParallelism())
                .uid("never-idle-" + name);
    }

    public static void defineWorkflow(
            StreamExecutionEnvironment env, PulseConfig config, Sources sources, Sinks sinks) {
        SingleOutputStreamOperator<Campaign> campaigns = sources.campaigns(env, config)
                .process(new DeadLetterSplitter<>(Campaign.class), CAMPAIGN_TYPE)
                .uid("decode-campaigns")
                .name("Campaigns: valid records");
        // Every instance of the customer step keeps the whole directory (CampaignDirectory.DESCRIPTOR).
        DataStream<Campaign> campaignDirectory = campaigns.broadcast();

        SingleOutputStreamOperator<Envelope> customerEvents = endingEventTimeAtTheEnd(
                        sources.customerEvents(env, config))
                .process(new DeadLetterSplitter<>(Envelope.class, true), ENVELOPE_TYPE)
                .uid("decode-customer-events")
                .name("Customer events: valid records");

        SingleOutputStreamOperator<SendVerdict> verdicts = customerEvents
                .keyBy(EventTimes::customerOf, Types.STRING)
                .connect(campaignDirectory)
                .transform(
                        "Misfire detection per customer",
                        VERDICT_TYPE,
                        new InMemoryTimersOperator<>(
                                new CustomerProcessor(config),
                                List.of(CampaignDirectory.DESCRIPTOR),
                                MemtablePreflush.Schedule.of(config)))
                .uid("customer-misfire-detector")
                .name("Misfire detection per customer");

        // Runtime changes to alerting: validated, audited, then broadcast to the alerting steps.
        SingleOutputStreamOperator<Envelope> controlEnvelopes = sources.control(env, config)
                .process(new DeadLetterSplitter<>(Envelope.class), ENVELOPE_TYPE)
                .uid("decode-control")
                .name("Control: valid records");
        SingleOutputStreamOperator<ControlMessage> controls = controlEnvelopes
                .process(new ControlValidator(), CONTROL_TYPE)
                .uid("validate-control")
                .name("Control: accepted changes");
        BroadcastStream<ControlMessage> controlBroadcast = controls.broadcast(AlertControls.DESCRIPTOR);
        BroadcastStream<AlertBroadcast> trackerBroadcast = campaigns
                .map(c -> new AlertBroadcast(c, null, null), ALERT_BROADCAST_TYPE)
                .uid("alert-broadcast-campaigns")
                .name("Alerting: campaigns")
                .union(
                        controls.map(m -> new AlertBroadcast(null, m, null), ALERT_BROADCAST_TYPE)
                                .uid("alert-broadcast-control")
                                .name("Alerting: control"),
                        customerEvents
                                .getSideOutput(DeadLetterSplitter.INPUT_HORIZON)
                                .map(h -> new AlertBroadcast(null, null, h), ALERT_BROADCAST_TYPE)
                                .uid("input-horizon")
                                .name("Alerting: how far the input has reached"))
                .broadcast(CampaignDirectory.DESCRIPTOR, AlertControls.DESCRIPTOR, InputHorizon.DESCRIPTOR);

        DataStream<Misfire> misfires = verdicts.flatMap(
                        (SendVerdict v, Collector<Misfire> out) ->
                                v.getMisfires().forEach(out::collect),
                        MISFIRE_TYPE)
                .uid("misfire-records")
                .name("Misfire records");

        // What the event-time steps downstream read of the per-customer step: never idle (NeverIdle).
        DataStream<SendVerdict> judged = neverIdle(verdicts, "verdicts");
        DataStream<AlertSignal> misfireSignals = judged.keyBy(SendVerdict::getCampaignId, Types.STRING)
                .connect(controls.broadcast())
                .transform(
                        "Misfire-rate signals per campaign",
                        SIGNAL_TYPE,
                        new InMemoryTimersOperator<>(
                                new MisfireRateAlerter(config),
                                List.of(AlertControls.DESCRIPTOR),
                                MemtablePreflush.Schedule.of(config)))
                .uid("misfire-rate-alerter")
                .name("Misfire-rate signals per campaign");

        DataStream<AttributedFeedback> feedback = verdicts.getSideOutput(CustomerProcessor.FEEDBACK);
        DataStream<CampaignStats> stats = CampaignRollups.define(
                config,
                judged,
                neverIdle(feedback, "feedback"),
                neverIdle(verdicts.getSideOutput(CustomerProcessor.CONVERSIONS), "conversions"));

        DataStream<AlertSignal> sentimentSignals = stats.keyBy(CampaignStats::getCampaignId, Types.STRING)
                .connect(controlBroadcast)
                .process(new SentimentAlerter(config), SIGNAL_TYPE)
                .uid("sentiment-alerter")
                .name("Sentiment and ticket signals per campaign");

        // One incident per (campaign, kind, rule): the deduplicated alert feed.
        DataStream<Alert> alerts = misfireSignals
                .union(sentimentSignals)
                .keyBy(IncidentTracker::keyOf, Types.STRING)
                .connect(trackerBroadcast)
                .process(new IncidentTracker(config), ALERT_TYPE)
                .uid("incident-tracker")
                .name("Alert incidents: opened, updated, resolved");

        // Webhooks get the messages their routing rules match; what cannot be delivered is a dead letter.
        List<DataStream<DeadLetter>> undelivered = new ArrayList<>();
        if (!config.routing().webhooks().isEmpty()) {
            DataStream<WebhookCall> calls = alerts.flatMap(
                            new AlertRouter(config.routing()), new AvroTypeInfo<>(WebhookCall.class))
                    .uid("alert-routing")
                    .name("Alerts: routing to webhooks");
            undelivered.add(AsyncDataStream.unorderedWait(
                            calls,
                            new WebhookDelivery(config.routing()),
                            WebhookDelivery.totalTimeoutMs(config.routing()),
                            TimeUnit.MILLISECONDS,
                            config.routing().maxInFlight())
                    .returns(new AvroTypeInfo<>(DeadLetter.class))
                    .uid("webhook-delivery")
                    .name("Webhooks: delivery"));
        }
        // Mail: at once for CRITICAL incidents, and a digest per owner of the incidents still open.
        if (config.routing().email().enabled()) {
            DataStream<EmailMessage> mails = alerts.keyBy(EmailDigest::ownerOf, Types.STRING)
                    .process(new EmailDigest(config.routing()), new AvroTypeInfo<>(EmailMessage.class))
                    .uid("email-digest")
                    .name("Email: critical incidents and digests per owner");
            undelivered.add(AsyncDataStream.unorderedWait(
                            mails,
                            new EmailDelivery(config.routing()),
                            EmailDelivery.totalTimeoutMs(config.routing()),
                            TimeUnit.MILLISECONDS,
                            config.routing().maxInFlight())
                    .returns(new AvroTypeInfo<>(DeadLetter.class))
                    .uid("email-delivery")
                    .name("Email: delivery"));
        }

        DataStream<DeadLetter> deadLetters = campaigns
                .getSideOutput(DeadLetterSplitter.DEAD_LETTERS)
                .union(
                        customerEvents.getSideOutput(DeadLetterSplitter.DEAD_LETTERS),
                        verdicts.getSideOutput(CustomerProcessor.DEAD_LETTERS),
                        controlEnvelopes.getSideOutput(DeadLetterSplitter.DEAD_LETTERS),
                        controls.getSideOutput(ControlValidator.REJECTED));
        for (DataStream<DeadLetter> failed : undelivered) {
            deadLetters = deadLetters.union(failed);
        }

        sinks.misfires(misfires);
        sinks.alerts(alerts);
        sinks.deadLetters(deadLetters);
        sinks.campaignStats(stats);
        sinks.feedbackScores(feedback);
        sinks.suppressions(verdicts.getSideOutput(CustomerProcessor.SUPPRESSIONS));
        sinks.controlAudit(controls.getSideOutput(ControlValidator.AUDIT));
        // Last: the planner numbers the PostgreSQL sinks' operators in order, so the earlier sinks
        // keep the uids they had before the campaigns table existed.
        sinks.campaigns(campaigns);
        sinks.complete();
        PlannerUids.stabilize(env);
    }
}
