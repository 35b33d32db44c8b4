package io.campaignpulse.misfire;

import io.campaignpulse.attribution.AttributedFeedback;
import io.campaignpulse.attribution.Attribution;
import io.campaignpulse.attribution.Conversion;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Review;
import io.campaignpulse.contract.TicketEvent;
import io.campaignpulse.contract.TicketStatus;
import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.sentiment.SentimentScorer;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.ConsentChange;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.HoldingChange;
import io.campaignpulse.contract.Misfire;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.ingest.DeadLetters;
import io.campaignpulse.ingest.Envelope;
import io.campaignpulse.ingest.EventTimes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Judges every campaign send against the five misfire rules, per customer, as of the send's
 * sent_at in event time.
 *
 * <p>Sends, holding changes and consent changes of one customer are buffered by event time
 * until the watermark passes them, then applied in event-time order (changes before sends at
 * the same instant, since "changed_at &lt;= sent_at" counts). So a holding opened at 09:00 that
 * reaches Kafka after a 09:05 send still counts, as long as it is within the watermark's
 * out-of-orderness bound. Later than that is a LATE_EVENT dead letter: a late send is not
 * judged; a late change is still applied to the current state if it is the newest we know.
 *
 * <p>Campaigns arrive as broadcast state. A send whose campaign is unknown when judged is
 * parked with a copy of the customer state and judged {@code campaign-grace} later, or
 * dead-lettered as UNKNOWN_CAMPAIGN.
 *
 * <p>Tickets and reviews go through the same event-time buffer: each is scored, attributed to a
 * campaign ({@link Attribution}) and emitted to {@link #FEEDBACK}; tickets stay in the customer
 * state while OPEN or PENDING, for the OPEN_COMPLAINT rule. A product opened after a send that
 * offered it is a {@link #CONVERSIONS} record. Feedback up to {@code rollups.allowed-lateness}
 * behind the watermark is still scored and attributed (against the sends known at its time).
 *
 * <p>State per customer: one {@link CustomerState} value (one read and write per judged
 * instant; expires after {@code customer-state-ttl} without events) and the pending events by
 * timestamp, each removed by its own event-time timer.
 */
public class CustomerMisfireDetector extends KeyedBroadcastProcessFunction<String, Envelope, Campaign, SendVerdict> {

    public static final MapStateDescriptor<String, Campaign> CAMPAIGNS =
            new MapStateDescriptor<>("campaigns", Types.STRING, new AvroTypeInfo<>(Campaign.class));

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("misfire-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    /** Every scored ticket message and review, with its campaign. */
    public static final OutputTag<AttributedFeedback> FEEDBACK =
            new OutputTag<>("attributed-feedback", new AvroTypeInfo<>(AttributedFeedback.class));

    /** The live suppression list: entries opened by preventable misfires, and their retractions. */
    public static final OutputTag<io.campaignpulse.contract.Suppression> SUPPRESSIONS =
            new OutputTag<>("suppressions", new AvroTypeInfo<>(io.campaignpulse.contract.Suppression.class));

    /** Recipients who opened the product a send offered. */
    public static final OutputTag<Conversion> CONVERSIONS =
            new OutputTag<>("conversions", new AvroTypeInfo<>(Conversion.class));

    private final MisfireJudge judge;
    private final SuppressionList suppressionList;
    private final long graceMs;
    private final long sendMemoryMs;
    private final java.time.Duration stateTtl;
    private final Attribution attribution;
    private final long feedbackLatenessMs;
    private final long openComplaintWindowMs;

    private transient SentimentScorer scorer;
    private transient Counter feedbackScored;
    private transient Counter conversions;
    private transient org.apache.flink.metrics.Histogram scorerNanos;

    private transient ValueState<CustomerState> customer;
    private transient MapState<Long, PendingEvents> pending;
    private transient Counter sendsJudged;
    private transient Counter redeliveries;
    private transient Counter lateEvents;
    private transient Counter parkedSends;
    private transient HashMap<String, Counter> misfiresByRule;

    public CustomerMisfireDetector(PulseConfig config) {
        this.judge = new MisfireJudge(config.misfire());
        this.suppressionList = new SuppressionList(judge);
        this.graceMs = config.eventTime().campaignGrace().toMillis();
        this.sendMemoryMs = config.sendMemory().toMillis();
        this.attribution = new Attribution(config.attribution());
        this.feedbackLatenessMs = config.rollups().allowedLateness().toMillis();
        this.openComplaintWindowMs = config.misfire().openComplaintWindow().toMillis();
        this.stateTtl = config.misfire().customerStateTtl();
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<CustomerState> customerDescriptor =
                new ValueStateDescriptor<>("customer", new AvroTypeInfo<>(CustomerState.class));
        customerDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(stateTtl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        customer = getRuntimeContext().getState(customerDescriptor);
        pending = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("pending", Types.LONG, new AvroTypeInfo<>(PendingEvents.class)));

        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        sendsJudged = metrics.counter("sendsEvaluated");
        redeliveries = metrics.counter("sendRedeliveries");
        lateEvents = metrics.counter("lateRecords");
        parkedSends = metrics.counter("sendsParkedForCampaign");
        feedbackScored = metrics.counter("feedbackScored");
        conversions = metrics.counter("conversions");
        scorerNanos = metrics.histogram("scorerNanosPerRecord",
                new org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram(1_000));
        scorer = SentimentScorer.shared(); // the lexicons are loaded once per JVM, never per record
        misfiresByRule = new HashMap<>();
        for (var rule : io.campaignpulse.contract.MisfireRule.values()) {
            misfiresByRule.put(rule.name(), metrics.addGroup("rule", rule.name()).counter("misfires"));
        }
    }

    @Override
    public void processElement(Envelope event, ReadOnlyContext ctx, Collector<SendVerdict> out) throws Exception {
        long t = EventTimes.of(event);
        Object payload = event.getPayload();
        if (!(payload instanceof CampaignSend || payload instanceof HoldingChange || payload instanceof ConsentChange
                || payload instanceof TicketEvent || payload instanceof Review)) {
            ctx.output(DEAD_LETTERS, DeadLetters.of(event, DeadLetterReason.INVALID_VALUE, "not a customer event for misfire detection"));
            return;
        }
        // One read of the instant's pending batch serves the redelivery check and the append.
        PendingEvents batch = pending.get(t);
        if ((payload instanceof CampaignSend send && isRedelivery(send, batch)) || (isFeedback(payload) && isRedelivery(payload, batch))) {
            redeliveries.inc();
            return;
        }
        long watermark = ctx.timerService().currentWatermark();
        if (t <= watermark) {
            if (isFeedback(payload) && t > watermark - feedbackLatenessMs) {
                // Late, but its roll-up windows are still open: score and attribute it now.
                CustomerState state = orEmpty(customer.value());
                applyFeedback(state, event, t, ctx);
                retractSuppressions(state, watermark, ctx);
                save(state);
                return;
            }
            late(event, ctx);
            return;
        }
        if (batch == null) {
            batch = new PendingEvents(new ArrayList<>(2), new ArrayList<>(0));
            ctx.timerService().registerEventTimeTimer(t);
        }
        batch.getEvents().add(event);
        pending.put(t, batch);
    }

    /** The same send_id again: the producer retried. Checked against pending and judged sends. */
    private boolean isRedelivery(CampaignSend send, PendingEvents batch) throws Exception {
        String id = send.getSendId();
        if (batch != null) {
            for (Envelope e : batch.getEvents()) {
                if (e.getPayload() instanceof CampaignSend s && s.getSendId().equals(id)) {
                    return true;
                }
            }
        }
        CustomerState state = customer.value();
        if (state != null) {
            for (RecentSend r : state.getRecentSends()) {
                if (r.getSendId().equals(id)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The same review, or the same ticket message (ticket id and instant), already waiting in this
     * instant's batch: the producer retried before the watermark passed it. (A retry that comes
     * after the message was applied is not caught: feedback ids are not remembered.)
     */
    private static boolean isRedelivery(Object feedback, PendingEvents batch) {
        if (batch == null) {
            return false;
        }
        for (Envelope e : batch.getEvents()) {
            Object p = e.getPayload();
            if ((feedback instanceof Review r && p instanceof Review q && r.getReviewId().equals(q.getReviewId()))
                    || (feedback instanceof TicketEvent x && p instanceof TicketEvent y && x.getTicketId().equals(y.getTicketId()))) {
                return true;
            }
        }
        return false;
    }

    private void late(Envelope event, ReadOnlyContext ctx) throws Exception {
        lateEvents.inc();
        if (event.getPayload() instanceof CampaignSend) {
            ctx.output(DEAD_LETTERS, DeadLetters.of(event, DeadLetterReason.LATE_EVENT,
                    "sent_at is behind the watermark (more than event-time.max-out-of-orderness late); not judged"));
            return;
        }
        if (isFeedback(event.getPayload())) {
            ctx.output(DEAD_LETTERS, DeadLetters.of(event, DeadLetterReason.LATE_EVENT,
                    "occurred_at is more than rollups.allowed-lateness behind the watermark; its windows are written, not counted"));
            return;
        }
        CustomerState state = orEmpty(customer.value());
        boolean applied = apply(state, event.getPayload());
        if (applied) {
            retractSuppressions(state, ctx.timerService().currentWatermark(), ctx);
            customer.update(state);
        }
        ctx.output(DEAD_LETTERS, DeadLetters.of(event, DeadLetterReason.LATE_EVENT, applied
                ? "arrived after the watermark; applied to the customer's current state, sends before it were judged without it"
                : "arrived after the watermark and a newer change is known; not applied"));
    }

    @Override
    public void onTimer(long t, OnTimerContext ctx, Collector<SendVerdict> out) throws Exception {
        PendingEvents batch = pending.get(t);
        if (batch == null) {
            return;
        }
        pending.remove(t);
        ReadOnlyBroadcastState<String, Campaign> campaigns = ctx.getBroadcastState(CAMPAIGNS);

        for (ParkedSend parked : batch.getParked()) {
            CampaignSend send = (CampaignSend) parked.getSend().getPayload();
            Campaign campaign = campaigns.get(send.getCampaignId());
            if (campaign == null) {
                ctx.output(DEAD_LETTERS, DeadLetters.of(parked.getSend(), DeadLetterReason.UNKNOWN_CAMPAIGN,
                        "campaign not seen within event-time.campaign-grace after the send"));
            } else {
                SendVerdict verdict = judge.judge(send, campaign, parked.getAsOf(), t);
                emit(verdict, out);
                CustomerState now = orEmpty(customer.value());
                if (openSuppressions(verdict, now, ctx)) {
                    save(now);
                }
            }
        }

        List<Envelope> events = batch.getEvents();
        if (events.isEmpty()) {
            return;
        }
        CustomerState state = orEmpty(customer.value());
        List<CampaignSend> sends = new ArrayList<>(events.size());
        boolean changed = false;
        for (Envelope e : events) {
            Object payload = e.getPayload();
            if (payload instanceof CampaignSend s) {
                sends.add(s);
            } else if (isFeedback(payload)) {
                applyFeedback(state, e, t, ctx);
                changed = true;
            } else if (apply(state, payload)) {
                changed = true;
                if (payload instanceof HoldingChange h && h.getStatus() == HoldingStatus.ACTIVE) {
                    convert(state, h, t, ctx);
                }
            }
        }
        if (changed) {
            // Changes at t come before sends at t: an entry they end is retracted before the sends are judged.
            retractSuppressions(state, t, ctx);
        }
        if (!sends.isEmpty()) {
            forgetSendsBefore(state, t - sendMemoryMs);
            sends.sort(Comparator.comparing(CampaignSend::getSendId)); // deterministic for equal sent_at
            for (CampaignSend send : sends) {
                Campaign campaign = campaigns.get(send.getCampaignId());
                boolean promotional;
                String product;
                if (campaign != null) {
                    SendVerdict verdict = judge.judge(send, campaign, state, t);
                    emit(verdict, out);
                    openSuppressions(verdict, state, ctx);
                    promotional = MisfireJudge.isPromotional(verdict.getOfferType());
                    product = verdict.getOfferProductId();
                } else {
                    park(send, events, state, t, ctx);
                    // Unknown offer type: counted as promotional, the safer side of the frequency cap.
                    promotional = send.getOfferType() == null || send.getOfferType() != OfferType.SERVICE;
                    product = send.getOfferProductId();
                }
                state.getRecentSends().add(new RecentSend(send.getSendId(), send.getCampaignId(), t, promotional, product));
            }
        }
        save(state);
    }

    /**
     * Writes the customer's state, or clears it when there is nothing to remember (an anonymous
     * review, a customer whose only ticket closed): no empty entry waits out the state TTL.
     */
    private void save(CustomerState state) throws Exception {
        if (state.getHoldings().isEmpty() && state.getConsent().isEmpty() && state.getRecentSends().isEmpty() && state.getTickets().isEmpty()
                && state.getSuppressions().isEmpty()) {
            customer.clear();
        } else {
            customer.update(state);
        }
    }

    private static boolean isFeedback(Object payload) {
        return payload instanceof TicketEvent || payload instanceof Review;
    }

    /** Scores a ticket message or review, attributes it, keeps open tickets in the state, and emits it. */
    private void applyFeedback(CustomerState state, Envelope event, long t, ReadOnlyContext ctx) throws Exception {
        AttributedFeedback.Builder out = AttributedFeedback.newBuilder().setScorerVersion(SentimentScorer.VERSION).setOccurredAt(t);
        String text;
        Integer standIn;
        String standInSource;
        Attribution.Attributed attributed;
        if (event.getPayload() instanceof TicketEvent ticket) {
            text = SentimentScorer.textOf(ticket.getSubject(), ticket.getBody());
            standIn = ticket.getCsat();
            standInSource = "CSAT";
            TicketFact fact = state.getTickets().get(ticket.getTicketId());
            boolean opens = fact == null;
            if (opens) {
                attributed = attribution.feedback(ticket.getCampaignId(), state.getRecentSends(), t);
                fact = new TicketFact(ticket.getStatus(), t, t, 0.0, 0, attributed.campaignId());
            } else {
                attributed = ticket.getCampaignId() != null
                        ? attribution.feedback(ticket.getCampaignId(), state.getRecentSends(), t)
                        : new Attribution.Attributed(fact.getCampaignId(), fact.getCampaignId() == null ? Attribution.By.NONE : Attribution.By.TICKET,
                                null, null);
                if (t >= fact.getChangedAt()) {
                    fact.setStatus(ticket.getStatus());
                    fact.setChangedAt(t);
                }
            }
            out.setFeedbackId(ticket.getTicketId() + "@" + t).setKind("TICKET").setOpensTicket(opens)
                    .setCustomerId(ticket.getCustomerId()).setCsat(ticket.getCsat());
            Double score = score(text, standIn, standInSource, out);
            if (score != null) {
                fact.setScoreSum(fact.getScoreSum() + score);
                fact.setScoredMessages(fact.getScoredMessages() + 1);
            }
            if (fact.getStatus() == TicketStatus.OPEN || fact.getStatus() == TicketStatus.PENDING) {
                state.getTickets().put(ticket.getTicketId(), fact);
            } else {
                state.getTickets().remove(ticket.getTicketId());
            }
        } else {
            Review review = (Review) event.getPayload();
            text = SentimentScorer.textOf(review.getTitle(), review.getBody());
            attributed = attribution.feedback(review.getCampaignId(), state.getRecentSends(), t);
            out.setFeedbackId(review.getReviewId()).setKind("REVIEW").setOpensTicket(false)
                    .setCustomerId(review.getCustomerId()).setRating(review.getRating());
            score(text, review.getRating(), "RATING", out);
        }
        // Tickets opened before the OPEN_COMPLAINT look-back can never count again.
        state.getTickets().values().removeIf(f -> f.getOpenedAt() <= t - openComplaintWindowMs);
        Campaign campaign = attributed.campaignId() == null ? null : ctx.getBroadcastState(CAMPAIGNS).get(attributed.campaignId());
        out.setCampaignId(attributed.campaignId()).setCampaignName(campaign == null ? null : campaign.getName())
                .setAttributedBy(attributed.by().name()).setAttributedSentAt(attributed.sentAt());
        ctx.output(FEEDBACK, out.build());
    }

    /** The text's score, or the rating / CSAT standing in for an empty text; null with neither. */
    private Double score(String text, Integer standIn, String standInSource, AttributedFeedback.Builder out) {
        Double score;
        if (text != null) {
            long start = System.nanoTime();
            score = scorer.score(text);
            scorerNanos.update(System.nanoTime() - start);
            out.setScoreSource("TEXT");
        } else if (standIn != null) {
            score = SentimentScorer.fromFivePointScale(standIn);
            out.setScoreSource(standInSource);
        } else {
            score = null;
            out.setScoreSource("NONE");
        }
        feedbackScored.inc();
        out.setScore(score);
        return score;
    }

    private void convert(CustomerState state, HoldingChange opened, long t, ReadOnlyContext ctx) {
        RecentSend converted = attribution.conversion(opened.getProductId(), state.getRecentSends(), t);
        if (converted != null) {
            conversions.inc();
            ctx.output(CONVERSIONS, new Conversion(converted.getCampaignId(), converted.getSendId(), opened.getCustomerId(), opened.getProductId(), t));
        }
    }

    private void park(CampaignSend send, List<Envelope> events, CustomerState state, long t, OnTimerContext ctx) throws Exception {
        Envelope envelope = null;
        for (Envelope e : events) {
            if (e.getPayload() == send) {
                envelope = e;
            }
        }
        if (graceMs == 0) {
            ctx.output(DEAD_LETTERS, DeadLetters.of(envelope, DeadLetterReason.UNKNOWN_CAMPAIGN, "campaign not known when the send was judged"));
            return;
        }
        parkedSends.inc();
        long due = t + graceMs;
        PendingEvents later = pending.get(due);
        if (later == null) {
            later = new PendingEvents(new ArrayList<>(0), new ArrayList<>(1));
            ctx.timerService().registerEventTimeTimer(due);
        }
        later.getParked().add(new ParkedSend(envelope, CustomerState.newBuilder(state).build()));
        pending.put(due, later);
    }

    private boolean openSuppressions(SendVerdict verdict, CustomerState state, ReadOnlyContext ctx) {
        List<io.campaignpulse.contract.Suppression> opened = suppressionList.open(verdict, state);
        opened.forEach(s -> ctx.output(SUPPRESSIONS, s));
        return !opened.isEmpty();
    }

    private void retractSuppressions(CustomerState state, long t, ReadOnlyContext ctx) {
        suppressionList.retract(ctx.getCurrentKey(), state, t).forEach(s -> ctx.output(SUPPRESSIONS, s));
    }

    private void emit(SendVerdict verdict, Collector<SendVerdict> out) {
        sendsJudged.inc();
        for (Misfire m : verdict.getMisfires()) {
            misfiresByRule.get(m.getRule().name()).inc();
        }
        out.collect(verdict);
    }

    @Override
    public void processBroadcastElement(Campaign campaign, Context ctx, Collector<SendVerdict> out) throws Exception {
        var state = ctx.getBroadcastState(CAMPAIGNS);
        Campaign known = state.get(campaign.getCampaignId());
        // The compacted topic may replay older versions; keep the newest.
        if (known == null || !campaign.getUpdatedAt().isBefore(known.getUpdatedAt())) {
            state.put(campaign.getCampaignId(), campaign);
        }
    }

    /** Applies a holding or consent change if it is newer than what is known; returns whether it was. */
    static boolean apply(CustomerState state, Object change) {
        if (change instanceof HoldingChange h) {
            long at = h.getChangedAt().toEpochMilli();
            HoldingFact known = state.getHoldings().get(h.getProductId());
            if (known != null && known.getChangedAt() > at) {
                return false;
            }
            state.getHoldings().put(h.getProductId(), new HoldingFact(h.getStatus(), at));
            return true;
        }
        if (change instanceof ConsentChange c) {
            long at = c.getChangedAt().toEpochMilli();
            String key = c.getChannel() == null ? MisfireJudge.ALL_CHANNELS : c.getChannel().name();
            ConsentFact known = state.getConsent().get(key);
            if (known != null && known.getChangedAt() > at) {
                return false;
            }
            state.getConsent().put(key, new ConsentFact(c.getOptedIn(), at));
            return true;
        }
        return false;
    }

    private static void forgetSendsBefore(CustomerState state, long cutoffInclusive) {
        // A new list: Avro deserializes arrays as GenericData.Array, whose iterator cannot remove.
        List<RecentSend> kept = new ArrayList<>(state.getRecentSends().size());
        for (RecentSend r : state.getRecentSends()) {
            if (r.getSentAt() > cutoffInclusive) {
                kept.add(r);
            }
        }
        state.setRecentSends(kept);
    }

    static CustomerState orEmpty(CustomerState state) {
        return state != null ? state : new CustomerState(new HashMap<>(), new HashMap<>(), new ArrayList<>(), new HashMap<>(), new HashMap<>());
    }
}
