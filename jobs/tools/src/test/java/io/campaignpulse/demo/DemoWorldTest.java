package io.campaignpulse.demo;

import static io.campaignpulse.demo.DayRecords.HOUR;
import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.Fixtures;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.Channel;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.OfferType;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The generated world and its brute-force ground truth, without Kafka or Flink. */
class DemoWorldTest {

    private final PulseConfig config = Fixtures.config();

    @Test
    void theDayGeneratedForNowIsWhollyPastAtAnyHour() {
        for (String now : List.of("2026-11-28T00:01:00Z", "2026-11-28T04:30:00Z", "2026-11-28T23:59:00Z")) {
            Instant clock = Instant.parse(now);
            DemoWorld world = DemoWorld.generate(config, new DemoWorld.Options(500, 3, DemoWorld.latestPastDay(clock)));
            assertThat(world.events())
                    .as("events at or after %s", now)
                    .allSatisfy(e -> assertThat(e.eventTime()).isLessThan(clock.toEpochMilli()));
            assertThat(world.end()).isLessThan(clock.toEpochMilli());
        }
        // Yesterday's world would not be: it runs into this morning.
        Instant justAfterMidnight = Instant.parse("2026-11-28T00:01:00Z");
        DemoWorld yesterday =
                DemoWorld.generate(config, new DemoWorld.Options(500, 3, Instant.parse("2026-11-27T00:00:00Z")));
        assertThat(yesterday.events())
                .anySatisfy(e -> assertThat(e.eventTime())
                        .isGreaterThan(justAfterMidnight.toEpochMilli()
                                + java.time.Duration.ofHours(1).toMillis()));
    }

    @Test
    void aSeedAlwaysGivesTheSameDayAndAnotherSeedAnother() {
        DemoWorld a = DemoWorld.generate(config, new DemoWorld.Options(500, 3, Fixtures.DAY));
        DemoWorld b = DemoWorld.generate(config, new DemoWorld.Options(500, 3, Fixtures.DAY));
        DemoWorld c = DemoWorld.generate(config, new DemoWorld.Options(500, 4, Fixtures.DAY));
        assertThat(a.events()).hasSameSizeAs(b.events());
        for (int i = 0; i < a.events().size(); i++) {
            DemoWorld.Event x = a.events().get(i);
            DemoWorld.Event y = b.events().get(i);
            assertThat(y.publishAt()).isEqualTo(x.publishAt());
            assertThat(y.topic()).isEqualTo(x.topic());
            assertThat(Arrays.equals(x.value(), y.value())).as("event %d", i).isTrue();
        }
        assertThat(a.expectedMisfires()).isEqualTo(b.expectedMisfires()).isNotEqualTo(c.expectedMisfires());
    }

    @Test
    void everyPlantedScenarioHappensAndIsInTheGroundTruthUnderItsRule() {
        DemoWorld world = DemoWorld.generate(config, new DemoWorld.Options(3000, 7, Fixtures.DAY));
        Map<String, Set<MisfireRule>> expected = world.expectedMisfires();
        world.planted().forEach((rule, sends) -> {
            assertThat(sends).as("planted %s", rule).isNotEmpty();
            sends.forEach(
                    id -> assertThat(expected.get(id)).as("%s %s", id, rule).contains(rule));
        });
        assertThat(world.plantedDeadLetters())
                .containsOnlyKeys(
                        DeadLetterReason.DECODE_ERROR,
                        DeadLetterReason.MISSING_FIELD,
                        DeadLetterReason.UNKNOWN_ENUM,
                        DeadLetterReason.UNKNOWN_CAMPAIGN,
                        DeadLetterReason.INVALID_TIMESTAMP);
        assertThat(world.redeliveries()).isPositive();
        assertThat(world.events()).extracting(DemoWorld.Event::publishAt).isSorted();
    }

    /** The oracle on a hand-written day, so it is checked independently of the generator. */
    @Test
    void theGroundTruthJudgesEachSendAsOfItsSentAt() {
        DayRecords day = new DayRecords(config.topics(), Fixtures.DAY.toEpochMilli(), new Random(1));
        long t0 = day.day;
        day.campaign("C-PLAT", "Platinum", OfferType.CROSS_SELL, "CARD-PLAT", Channel.EMAIL, "cards");
        day.campaign("C-KEEP", "Keep", OfferType.RETENTION, "CARD-PLAT", Channel.EMAIL, "cards");
        day.holding("cust-1", "CARD-PLAT", HoldingStatus.ACTIVE, t0 + 9 * HOUR, 0);
        CampaignSend before = day.send("C-PLAT", "cust-1", Channel.EMAIL, t0 + 9 * HOUR - 1);
        CampaignSend after = day.send("C-PLAT", "cust-1", Channel.EMAIL, t0 + 10 * HOUR);
        CampaignSend retention = day.send("C-KEEP", "cust-1", Channel.EMAIL, t0 + 10 * HOUR);
        day.consent("cust-2", Channel.EMAIL, false, t0 + 9 * HOUR);
        CampaignSend optedOut = day.send("C-PLAT", "cust-2", Channel.EMAIL, t0 + 10 * HOUR);
        day.consent("cust-2", null, true, t0 + 11 * HOUR);
        CampaignSend optedInAgain = day.send("C-KEEP", "cust-2", Channel.EMAIL, t0 + 20 * HOUR);
        DemoWorld world = new DemoWorld(config, day, new EnumMap<>(MisfireRule.class), new HashMap<>(), 0);

        Map<String, Set<MisfireRule>> expected = GroundTruth.misfires(List.of(world));
        assertThat(expected).doesNotContainKeys(before.getSendId(), retention.getSendId(), optedInAgain.getSendId());
        assertThat(expected.get(after.getSendId()))
                .containsExactlyInAnyOrder(MisfireRule.ALREADY_HOLDS_PRODUCT, MisfireRule.DUPLICATE_SEND);
        assertThat(expected.get(optedOut.getSendId())).containsExactly(MisfireRule.NO_CONSENT);
        // The opt-in at 11:00 retracts the suppression that the 10:00 send opened.
        assertThat(GroundTruth.suppressions(List.of(world)))
                .containsEntry("C-PLAT/cust-2/NO_CONSENT", false)
                .containsEntry("C-PLAT/cust-1/ALREADY_HOLDS_PRODUCT", true);
    }
}
