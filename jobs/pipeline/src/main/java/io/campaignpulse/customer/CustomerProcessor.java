package io.campaignpulse.customer;

import io.campaignpulse.attribution.AttributedFeedback;
import io.campaignpulse.attribution.Attribution;
import io.campaignpulse.attribution.Conversion;
import io.campaignpulse.attribution.FeedbackHandler;
import io.campaignpulse.campaign.CampaignDirectory;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.ConsentChange;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.HoldingChange;
import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.contract.Misfire;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.contract.Review;
import io.campaignpulse.contract.Suppression;
import io.campaignpulse.contract.TicketEvent;
import io.campaignpulse.customer.state.CustomerFacts;
import io.campaignpulse.customer.state.CustomerState;
import io.campaignpulse.customer.state.RecentSend;
import io.campaignpulse.eventtime.DueInstants;
import io.campaignpulse.eventtime.InMemoryTimers;
import io.campaignpulse.eventtime.InMemoryTimersOperator;
import io.campaignpulse.ingest.DeadLetters;
import io.campaignpulse.ingest.Envelope;
import io.campaignpulse.ingest.EventTimes;
import io.campaignpulse.misfire.MisfireJudge;
import io.campaignpulse.misfire.SendVerdict;
import io.campaignpulse.misfire.SuppressionList;
import io.campaignpulse.restore.EarlierReleaseHorizon;
import io.campaignpulse.restore.KeyOwnership;
import io.campaignpulse.sentiment.SentimentScorer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificData;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The one keyed step per customer: holds each event until the watermark passes it
 * ({@link EventTimeBuffer}), then applies the customer's events in event-time order — holding and
 * consent changes to the customer's facts, feedback through the {@link FeedbackHandler}, sends
 * through the {@link MisfireJudge} — and keeps the live {@link SuppressionList}. A send is judged
 * as of its sent_at: a holding opened at 09:00 that reaches Kafka after a 09:05 send still counts,
 * within the watermark's out-of-orderness bound. Later than that is a LATE_EVENT dead letter (a
 * late change is still applied to the current facts if it is the newest known); feedback up to
 * rollups.allowed-lateness behind the watermark is still scored and attributed.
 *
 * <p>A send whose campaign is unknown when judged is parked with the customer's state as of its
 * sent_at and judged event-time.campaign-grace later, or dead-lettered as UNKNOWN_CAMPAIGN.
 *
 * <p>State: the customer's facts in RocksDB (one read and one write per instant the watermark
 * passes for the customer; they expire after misfire.customer-state-ttl without events), and the
 * events waiting for the watermark in memory ({@link WaitingEvents}), which checkpoints carry as
 * union operator state. Their due instants are timers in memory too ({@link DueInstants}, rebuilt
 * from the events on restore), so the step runs only in an {@link InMemoryTimersOperator}, which
 * fires them. Events a savepoint of an earlier release kept in keyed state, with Flink timers, are still
 * found and applied when those timers fire.
 */
public class CustomerProcessor extends KeyedBroadcastProcessFunction<String, Envelope, Campaign, SendVerdict>
        implements CheckpointedFunction, InMemoryTimers {

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("misfire-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    /** Every scored ticket message and review, with its campaign. */
    public static final OutputTag<AttributedFeedback> FEEDBACK =
            new OutputTag<>("attributed-feedback", new AvroTypeInfo<>(AttributedFeedback.class));

    /** The live suppression list: entries opened by preventable misfires, and their retractions. */
    public static final OutputTag<Suppression> SUPPRESSIONS =
            new OutputTag<>("suppressions", new AvroTypeInfo<>(Suppression.class));

    /** Recipients who opened the product a send offered. */
    public static final OutputTag<Conversion> CONVERSIONS =
            new OutputTag<>("conversions", new AvroTypeInfo<>(Conversion.class));

    private final MisfireJudge judge;
    private final SuppressionList suppressionList;
    private final FeedbackHandler feedbackHandler;
    private final Attribution attribution;
    private final CampaignDirectory directory;
    private final long graceMs;
    private final long sendMemoryMs;
    private final long feedbackLatenessMs;
    private final Duration stateTtl;
    private final EarlierReleaseHorizon legacyHorizon;

    private transient ValueState<CustomerState> customer;
    private transient WaitingEvents waiting;
    /** When waiting events are due: this step's timers, fired by its {@link InMemoryTimersOperator}. */
    private transient DueInstants dueInstants;

    private transient ListState<byte[]> checkpointedWaiting;
    private transient WaitingEventBatches batches;
    /** Where releases before the batches kept the waiting events, one element each: read on restore. */
    private transient ListState<PendingEvent> earlierWaiting;

    private transient ListState<Long> checkpointedLegacyHorizon;
    /** The keyed list in which earlier releases kept the waiting events: read only for their timers. */
    private transient ListState<PendingEvent> legacyWaiting;

    private transient SentimentScorer scorer;
    private transient Counter sendsJudged;
    private transient Counter eventsDone;
    private transient Counter redeliveries;
    private transient Counter lateEvents;
    private transient Counter parkedSends;
    private transient Counter feedbackScored;
    private transient Counter conversions;
    private transient Histogram scorerNanos;
    private transient EnumMap<MisfireRule, Counter> misfiresByRule;

    public CustomerProcessor(PulseConfig config) {
        this.judge = new MisfireJudge(config.misfire());
        this.suppressionList = new SuppressionList(judge);
        this.feedbackHandler = new FeedbackHandler(config);
        this.attribution = new Attribution(config.attribution());
        this.directory = new CampaignDirectory(config);
        this.graceMs = config.eventTime().campaignGrace().toMillis();
        this.sendMemoryMs = config.sendMemory().toMillis();
        this.feedbackLatenessMs = config.rollups().allowedLateness().toMillis();
        this.stateTtl = config.misfire().customerStateTtl();
        // How far past the first timer after a restore an event of the restored keyed list can be
        // due: the watermark's lag in a backlog (alignment drift plus out-of-orderness), twice over
        // for the alignment's overshoot, plus a parked send's grace; and never less than a day.
        long lag = config.eventTime().alignmentMaxDrift().toMillis()
                + config.eventTime().maxOutOfOrderness().toMillis();
        this.legacyHorizon =
                new EarlierReleaseHorizon(Math.max(Duration.ofDays(1).toMillis(), 2 * lag + graceMs));
    }

    /** A customer's facts, expiring {@code ttl} after their last write. */
    static ValueStateDescriptor<CustomerState> customerDescriptor(Duration ttl) {
        // The facts are read and written for every event: with Avro's generated encoder and
        // decoder instead of its reflective ones (the same bytes, schema resolution included).
        // Flink's Avro serializer uses the class's own model, so this covers the state.
        SpecificData.getForClass(CustomerState.class).setCustomCoders(true);
        ValueStateDescriptor<CustomerState> descriptor =
                new ValueStateDescriptor<>("customer", new AvroTypeInfo<>(CustomerState.class));
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(ttl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        return descriptor;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        waiting = new WaitingEvents();
        dueInstants = new DueInstants();
        batches = new WaitingEventBatches();
        checkpointedWaiting = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>(
                        "waiting-event-batches", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        earlierWaiting = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>("waiting-events", new AvroTypeInfo<>(PendingEvent.class)));
        checkpointedLegacyHorizon = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>("legacy-waiting-horizon", Types.LONG));
        if (!context.isRestored()) {
            return;
        }
        Predicate<String> owned =
                KeyOwnership.ofThisInstance(getRuntimeContext().getTaskInfo());
        waiting.restore(batches.decode(checkpointedWaiting.get()), owned, dueInstants);
        waiting.restore(earlierWaiting.get(), owned, dueInstants);
        earlierWaiting.clear(); // from now on in the batches
        legacyHorizon.restore(checkpointedLegacyHorizon.get());
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        // Encoded in the synchronous phase, where Flink copied each element before: the events in
        // memory move on while the checkpoint is written.
        checkpointedWaiting.update(batches.encode(waiting.all()));
        checkpointedLegacyHorizon.update(legacyHorizon.snapshot());
    }

    @Override
    public void open(OpenContext openContext) {
        customer = getRuntimeContext().getState(customerDescriptor(stateTtl));
        legacyWaiting = getRuntimeContext()
                .getListState(new ListStateDescriptor<>("pending-events", new AvroTypeInfo<>(PendingEvent.class)));

        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        metrics.gauge("eventsWaitingForWatermark", () -> waiting.count());
        sendsJudged = metrics.counter("sendsEvaluated");
        // Events applied (or dead-lettered) so far: numRecordsIn less this is what waits for the watermark.
        eventsDone = metrics.counter("eventsApplied");
        redeliveries = metrics.counter("sendRedeliveries");
        lateEvents = metrics.counter("lateRecords");
        parkedSends = metrics.counter("sendsParkedForCampaign");
        feedbackScored = metrics.counter("feedbackScored");
        conversions = metrics.counter("conversions");
        scorerNanos = metrics.histogram("scorerNanosPerRecord", new DescriptiveStatisticsHistogram(1_000));
        scorer = SentimentScorer.shared(); // the lexicons are loaded once per JVM, never per record
        misfiresByRule = new EnumMap<>(MisfireRule.class);
        for (MisfireRule rule : MisfireRule.values()) {
            misfiresByRule.put(rule, metrics.addGroup("rule", rule.name()).counter("misfires"));
        }
    }

    @Override
    public void processElement(Envelope event, ReadOnlyContext ctx, Collector<SendVerdict> out) throws Exception {
        Object payload = event.getPayload();
        if (!(payload instanceof CampaignSend
                || payload instanceof HoldingChange
                || payload instanceof ConsentChange
                || isFeedback(payload))) {
            ctx.output(
                    DEAD_LETTERS,
                    DeadLetters.of(
                            event, DeadLetterReason.INVALID_VALUE, "not a customer event for misfire detection"));
            eventsDone.inc();
            return;
        }
        long t = EventTimes.of(event);
        long watermark = ctx.timerService().currentWatermark();
        if (t > watermark) {
            if (waiting.add(ctx.getCurrentKey(), new PendingEvent(t, event, null))) {
                dueInstants.schedule(ctx.getCurrentKey(), t);
            }
            return;
        }
        eventsDone.inc();
        if (isFeedback(payload) && t > watermark - feedbackLatenessMs) {
            // Late, but its roll-up windows are still open: score and attribute it now.
            CustomerState state = CustomerFacts.orEmpty(customer.value());
            applyFeedback(state, payload, t, ctx);
            retractSuppressions(state, watermark, ctx);
            save(state);
        } else {
            late(event, ctx);
        }
    }

    private void late(Envelope event, ReadOnlyContext ctx) throws Exception {
        Object payload = event.getPayload();
        if (payload instanceof CampaignSend send) {
            CustomerState state = customer.value();
            if (state != null && CustomerFacts.wasSent(state, send.getSendId())) {
                redeliveries.inc(); // the producer's retry of a send judged already
                return;
            }
            lateEvents.inc();
            ctx.output(
                    DEAD_LETTERS,
                    DeadLetters.of(
                            event,
                            DeadLetterReason.LATE_EVENT,
                            "sent_at is behind the watermark (more than event-time.max-out-of-orderness late); not judged"));
            return;
        }
        lateEvents.inc();
        if (isFeedback(payload)) {
            ctx.output(
                    DEAD_LETTERS,
                    DeadLetters.of(
                            event,
                            DeadLetterReason.LATE_EVENT,
                            "occurred_at is more than rollups.allowed-lateness behind the watermark; its windows are written, not counted"));
            return;
        }
        CustomerState state = CustomerFacts.orEmpty(customer.value());
        boolean applied = CustomerFacts.apply(state, payload);
        if (applied) {
            retractSuppressions(state, ctx.timerService().currentWatermark(), ctx);
            save(state);
        }
        ctx.output(
                DEAD_LETTERS,
                DeadLetters.of(
                        event,
                        DeadLetterReason.LATE_EVENT,
                        applied
                                ? "arrived after the watermark; applied to the customer's current state, sends before it were judged without it"
                                : "arrived after the watermark and a newer change is known; not applied"));
    }

    /**
     * Applies the pending events due at this instant. Only those: what the step emits carries the
     * timer's timestamp, and the roll-up windows and alerts downstream place each record by it.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SendVerdict> out) throws Exception {
        String key = ctx.getCurrentKey();
        EventTimeBuffer buffer = new EventTimeBuffer(waitingEvents(key, timestamp), timestamp);
        if (!buffer.hasDue()) {
            waiting.putBack(key, buffer.later());
            return;
        }
        ReadOnlyBroadcastState<String, Campaign> campaigns = ctx.getBroadcastState(CampaignDirectory.DESCRIPTOR);
        CustomerState state = CustomerFacts.orEmpty(customer.value());
        CustomerFacts.forgetSendsBefore(state, timestamp - sendMemoryMs);
        boolean changed = false;
        Set<String> feedbackSeen = new HashSet<>(0);
        while (buffer.hasDue()) {
            PendingEvent next = buffer.next();
            if (next.getAsOf() == null) {
                eventsDone.inc(); // a parked send was counted when it was first judged
            }
            Object payload = next.getEvent().getPayload();
            if (next.getAsOf() != null) {
                judgeParked(next, (CampaignSend) payload, campaigns, state, timestamp, ctx, out);
            } else if (payload instanceof CampaignSend send) {
                if (changed) {
                    // Changes at t come before sends at t: an entry they end is retracted before the sends are judged.
                    retractSuppressions(state, timestamp, ctx);
                    changed = false;
                }
                judge(next, send, campaigns, state, timestamp, buffer, ctx, out);
            } else if (isFeedback(payload)) {
                if (feedbackSeen.add(feedbackKey(payload))) {
                    applyFeedback(state, payload, timestamp, ctx);
                    changed = true;
                } else {
                    redeliveries.inc();
                }
            } else if (CustomerFacts.apply(state, payload)) {
                changed = true;
                if (payload instanceof HoldingChange h && h.getStatus() == HoldingStatus.ACTIVE) {
                    convert(state, h, timestamp, ctx);
                }
            }
        }
        if (changed) {
            retractSuppressions(state, timestamp, ctx);
        }
        waiting.putBack(key, buffer.later());
        save(state);
    }

    /**
     * The customer's waiting events, in arrival order, taken out of memory: with those an earlier
     * release kept in keyed state first, while any may be left (a timer with nothing in memory is
     * one of theirs), so that a savepoint taken before the upgrade loses none.
     */
    private List<PendingEvent> waitingEvents(String key, long timestamp) throws Exception {
        List<PendingEvent> inMemory = waiting.take(key);
        boolean legacyMayBeDue = legacyHorizon.covers(timestamp);
        if (!inMemory.isEmpty() && !legacyMayBeDue) {
            return inMemory;
        }
        List<PendingEvent> all = new ArrayList<>();
        for (PendingEvent p : legacyWaiting.get()) {
            all.add(p);
        }
        if (all.isEmpty()) {
            return inMemory;
        }
        legacyWaiting.clear();
        all.addAll(inMemory);
        return all;
    }

    private void judge(
            PendingEvent pendingSend,
            CampaignSend send,
            ReadOnlyBroadcastState<String, Campaign> campaigns,
            CustomerState state,
            long t,
            EventTimeBuffer buffer,
            OnTimerContext ctx,
            Collector<SendVerdict> out)
            throws Exception {
        if (CustomerFacts.wasSent(state, send.getSendId())) {
            redeliveries.inc(); // the producer sent it again
            return;
        }
        Campaign campaign = directory.at(campaigns, send.getCampaignId(), t);
        boolean promotional;
        String product;
        if (campaign != null) {
            SendVerdict verdict = judge.judge(send, campaign, state, t);
            emit(verdict, out);
            openSuppressions(verdict, state, ctx);
            promotional = MisfireJudge.isPromotional(verdict.getOfferType());
            product = verdict.getOfferProductId();
        } else {
            park(pendingSend, state, t, buffer, ctx);
            // Unknown offer type: counted as promotional, the safer side of the frequency cap.
            promotional = send.getOfferType() == null || send.getOfferType() != OfferType.SERVICE;
            product = send.getOfferProductId();
        }
        state.getRecentSends().add(new RecentSend(send.getSendId(), send.getCampaignId(), t, promotional, product));
    }

    private void judgeParked(
            PendingEvent parked,
            CampaignSend send,
            ReadOnlyBroadcastState<String, Campaign> campaigns,
            CustomerState state,
            long t,
            OnTimerContext ctx,
            Collector<SendVerdict> out)
            throws Exception {
        Campaign campaign = directory.at(campaigns, send.getCampaignId(), t);
        if (campaign == null) {
            ctx.output(
                    DEAD_LETTERS,
                    DeadLetters.of(
                            parked.getEvent(),
                            DeadLetterReason.UNKNOWN_CAMPAIGN,
                            "campaign not seen within event-time.campaign-grace after the send"));
            return;
        }
        SendVerdict verdict = judge.judge(send, campaign, parked.getAsOf(), t);
        emit(verdict, out);
        openSuppressions(verdict, state, ctx);
    }

    private void park(
            PendingEvent pendingSend, CustomerState state, long t, EventTimeBuffer buffer, OnTimerContext ctx) {
        if (graceMs == 0) {
            ctx.output(
                    DEAD_LETTERS,
                    DeadLetters.of(
                            pendingSend.getEvent(),
                            DeadLetterReason.UNKNOWN_CAMPAIGN,
                            "campaign not known when the send was judged"));
            return;
        }
        parkedSends.inc();
        long due = t + graceMs;
        buffer.add(new PendingEvent(
                due, pendingSend.getEvent(), CustomerState.newBuilder(state).build()));
        // Rarely shared with another waiting event: scheduled twice, the instant's second firing finds nothing due.
        dueInstants.schedule(ctx.getCurrentKey(), due);
    }

    /** The instants at which this instance's waiting events are due, for its operator to fire. */
    @Override
    public DueInstants dueInstants() {
        return dueInstants;
    }

    /** Writes the customer's facts, or clears them when there is nothing to remember: no empty entry waits out the TTL. */
    private void save(CustomerState state) throws Exception {
        if (CustomerFacts.isEmpty(state)) {
            customer.clear();
        } else {
            customer.update(state);
        }
    }

    private static boolean isFeedback(Object payload) {
        return payload instanceof TicketEvent || payload instanceof Review;
    }

    /** One review, or one ticket message (a ticket has one message per instant): its redelivery at the same instant is dropped. */
    private static String feedbackKey(Object feedback) {
        return feedback instanceof Review r
                ? "review:" + r.getReviewId()
                : "ticket:" + ((TicketEvent) feedback).getTicketId();
    }

    private void applyFeedback(CustomerState state, Object feedback, long t, ReadOnlyContext ctx) throws Exception {
        ReadOnlyBroadcastState<String, Campaign> campaigns = ctx.getBroadcastState(CampaignDirectory.DESCRIPTOR);
        AttributedFeedback scored = feedbackHandler.handle(state, feedback, t, this::score, id -> {
            try {
                Campaign c = directory.at(campaigns, id, t);
                return c == null ? null : c.getName();
            } catch (Exception e) {
                throw new IllegalStateException("reading the campaign directory failed", e);
            }
        });
        feedbackScored.inc();
        ctx.output(FEEDBACK, scored);
    }

    private double score(String text) {
        long start = System.nanoTime();
        double score = scorer.score(text);
        scorerNanos.update(System.nanoTime() - start);
        return score;
    }

    private void convert(CustomerState state, HoldingChange opened, long t, ReadOnlyContext ctx) {
        RecentSend converted = attribution.conversion(opened.getProductId(), state.getRecentSends(), t);
        if (converted != null) {
            conversions.inc();
            ctx.output(
                    CONVERSIONS,
                    new Conversion(
                            converted.getCampaignId(),
                            converted.getSendId(),
                            opened.getCustomerId(),
                            opened.getProductId(),
                            t));
        }
    }

    private void openSuppressions(SendVerdict verdict, CustomerState state, ReadOnlyContext ctx) {
        suppressionList.open(verdict, state).forEach(s -> ctx.output(SUPPRESSIONS, s));
    }

    private void retractSuppressions(CustomerState state, long t, ReadOnlyContext ctx) {
        suppressionList.retract(ctx.getCurrentKey(), state, t).forEach(s -> ctx.output(SUPPRESSIONS, s));
    }

    private void emit(SendVerdict verdict, Collector<SendVerdict> out) {
        sendsJudged.inc();
        for (Misfire m : verdict.getMisfires()) {
            misfiresByRule.get(m.getRule()).inc();
        }
        out.collect(verdict);
    }

    @Override
    public void processBroadcastElement(Campaign campaign, Context ctx, Collector<SendVerdict> out) throws Exception {
        directory.update(ctx.getBroadcastState(CampaignDirectory.DESCRIPTOR), campaign, ctx.currentWatermark());
    }
}
