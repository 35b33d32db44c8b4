package io.campaignpulse.demo;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.ConsentChange;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.HoldingChange;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.Review;
import io.campaignpulse.contract.TicketEvent;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A seeded, realistic day of a retail bank's marketing: thousands of customers with holdings
 * and consent (and changes during the day), nine campaigns, tickets and reviews, and planted
 * misfires: a card push that reaches current cardholders (some of whose cards were opened
 * minutes before the send and reach Kafka after it), an acquisition offer leaking to existing
 * customers, a newsletter reaching opted-out customers, duplicate sends, a flash sale breaking
 * the frequency cap, an upgrade offer to customers with an angry open ticket, producer
 * redeliveries, and bad records. {@link WorldGenerator} writes it; {@link GroundTruth} and
 * {@link RollupTruth} say what the job must make of it.
 */
public final class DemoWorld {

    /** One record to publish: its event time, when to publish it (event time plus delivery delay), where, and its bytes. */
    public record Event(long eventTime, long publishAt, String topic, String key, byte[] value) {}

    /**
     * @param history false for the second and later days of `demo --follow`: the customer base
     *     and its past were published on the first day
     */
    public record Options(int customers, long seed, Instant day, boolean history) {
        public Options(int customers, long seed, Instant day) {
            this(customers, seed, day, true);
        }
    }

    // The day's facts, read by the ground truth.
    final PulseConfig config;
    final Map<String, Campaign> campaigns;
    final List<HoldingChange> holdings;
    final List<ConsentChange> consents;
    final List<CampaignSend> sends;
    final List<CampaignSend> ghostSends;
    final List<TicketEvent> ticketEvents;
    final List<Review> reviewList;

    private final long day;
    private final List<Event> events;
    private final Map<MisfireRule, Set<String>> planted;
    private final Map<DeadLetterReason, Integer> plantedDeadLetters;
    private final int redeliveries;
    private final int tickets;

    DemoWorld(
            PulseConfig config,
            DayRecords records,
            Map<MisfireRule, Set<String>> planted,
            Map<DeadLetterReason, Integer> plantedDeadLetters,
            int redeliveries) {
        this.config = config;
        this.campaigns = records.campaigns;
        this.holdings = records.holdings;
        this.consents = records.consents;
        this.sends = records.sends;
        this.ghostSends = records.ghostSends;
        this.ticketEvents = records.ticketEvents;
        this.reviewList = records.reviews;
        this.day = records.day;
        this.events = records.events;
        this.planted = planted;
        this.plantedDeadLetters = plantedDeadLetters;
        this.redeliveries = redeliveries;
        this.tickets = records.ticketsOpened;
    }

    public static DemoWorld generate(PulseConfig config, Options options) {
        return new WorldGenerator(config, options).generate();
    }

    /**
     * The day to generate at {@code now}: the start (UTC) of the day before yesterday. A day's
     * world runs into the next morning (holdings opened after midnight, feedback on the evening's
     * sends), so yesterday's would still be partly ahead of the clock in the first hours after
     * midnight, and the job refuses records more than event-time.max-future-skew ahead of it as
     * INVALID_TIMESTAMP: what a run reported would depend on the hour it ran.
     */
    public static Instant latestPastDay(Instant now) {
        return LocalDate.ofInstant(now, ZoneOffset.UTC)
                .minusDays(2)
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant();
    }

    /** The misfires this day must produce on its own: {@link GroundTruth#misfires}. */
    public Map<String, Set<MisfireRule>> expectedMisfires() {
        return GroundTruth.misfires(List.of(this));
    }

    // ------------------------------------------------------------------ accessors

    public List<Event> events() {
        return events;
    }

    public Map<MisfireRule, Set<String>> planted() {
        return planted;
    }

    public Map<DeadLetterReason, Integer> plantedDeadLetters() {
        return plantedDeadLetters;
    }

    public Map<String, Campaign> campaigns() {
        return campaigns;
    }

    public int sends() {
        return sends.size();
    }

    public int redeliveries() {
        return redeliveries;
    }

    public int tickets() {
        return tickets;
    }

    public int reviews() {
        return reviewList.size();
    }

    /** Ticket events after the one that opened each ticket (resolutions). */
    public int ticketUpdates() {
        return ticketEvents.size() - tickets;
    }

    public long day() {
        return day;
    }

    /**
     * The customer events (everything but campaigns) published before {@link #playFrom()}: the
     * CRM's history and the night's changes, which a job applies before the day's traffic.
     */
    public List<Event> customerEventsBeforePlayback() {
        return events.stream()
                .filter(e -> !e.topic().equals(config.topics().campaigns()) && e.publishAt() < playFrom())
                .toList();
    }

    /** Where paced playback starts: 06:00, the morning; what comes before goes out at once. */
    public long playFrom() {
        return day + 6 * DayRecords.HOUR;
    }

    /**
     * Simulated milliseconds per wall millisecond so that the day from {@link #playFrom()} to its
     * end takes {@code daySeconds}; 0 (as fast as possible) for daySeconds <= 0.
     */
    public double speedFor(double daySeconds) {
        return daySeconds <= 0 ? 0 : (end() - playFrom()) / (daySeconds * 1000);
    }

    /** When the simulated day's events end (the CRM tail included). */
    public long end() {
        return events.stream().mapToLong(Event::publishAt).max().orElse(day);
    }
}
