package io.campaignpulse.attribution;

import static io.campaignpulse.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.customer.state.RecentSend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Last-touch attribution of feedback and conversions: the window's edges and the explicit campaign. */
class AttributionTest {

    private static final long DAY_MS = Duration.ofDays(1).toMillis();

    private final Attribution attribution = new Attribution(config().attribution()); // 7 d, conversions 14 d

    private static final List<RecentSend> SENDS = List.of(
            new RecentSend("s1", "C-CARD", T0900, true, "CARD-PLAT"),
            new RecentSend("s2", "C-LOAN", T1000, true, "LOAN"),
            new RecentSend("s3", "C-NEWS", at("11:00"), true, null));

    @Test
    void anExplicitCampaignWinsEvenWithoutAnySend() {
        assertThat(attribution.feedback("C-X", SENDS, T0900))
                .isEqualTo(new Attribution.Attributed("C-X", Attribution.By.EXPLICIT, null, null));
        assertThat(attribution.feedback("C-CARD", SENDS, at("11:30")))
                .as("the explicit campaign's own latest send, not the latest send")
                .isEqualTo(new Attribution.Attributed("C-CARD", Attribution.By.EXPLICIT, "s1", T0900));
        assertThat(attribution.feedback("C-X", List.of(), T0900).by()).isEqualTo(Attribution.By.EXPLICIT);
        assertThat(attribution.feedback(" ", SENDS, at("10:30")).by())
                .as("a blank campaign_id is no campaign")
                .isEqualTo(Attribution.By.LAST_SEND);
    }

    @Test
    void feedbackCountsForTheMostRecentSendAtOrBeforeIt() {
        assertThat(attribution.feedback(null, SENDS, at("10:30")))
                .isEqualTo(new Attribution.Attributed("C-LOAN", Attribution.By.LAST_SEND, "s2", T1000));
        assertThat(attribution.feedback(null, SENDS, T1000).sendId())
                .as("a send at the same instant counts")
                .isEqualTo("s2");
        assertThat(attribution.feedback(null, SENDS, T1000 - 1).sendId()).isEqualTo("s1");
        assertThat(attribution.feedback(null, SENDS, at("08:59")).by())
                .as("before any send")
                .isEqualTo(Attribution.By.NONE);
    }

    @Test
    void theWindowIsHalfOpenAndOnlyTheLatestSendMatters() {
        long sevenDays = 7 * DAY_MS;
        assertThat(attribution
                        .feedback(null, SENDS, at("11:00") + sevenDays - 1)
                        .sendId())
                .isEqualTo("s3");
        // Exactly 7 d after the latest send: outside, and an older send does not stand in for it.
        assertThat(attribution.feedback(null, SENDS, at("11:00") + sevenDays).campaignId())
                .isNull();

        Attribution oneHour =
                new Attribution(config(Map.of("attribution.window", "1h")).attribution());
        assertThat(oneHour.feedback(null, SENDS, at("11:30")).campaignId()).isEqualTo("C-NEWS");
        assertThat(oneHour.feedback(null, SENDS, at("12:00")).by()).isEqualTo(Attribution.By.NONE);
    }

    @Test
    void aConversionIsTheMostRecentSendThatOfferedTheOpenedProductWithinTheWindow() {
        assertThat(attribution.conversion("CARD-PLAT", SENDS, at("12:00")))
                .extracting(RecentSend::getSendId)
                .isEqualTo("s1");
        assertThat(attribution.conversion("LOAN", SENDS, T1000))
                .as("opened at the send's instant")
                .extracting(RecentSend::getSendId)
                .isEqualTo("s2");
        assertThat(attribution.conversion("LOAN", SENDS, T1000 - 1))
                .as("opened before the send")
                .isNull();
        assertThat(attribution.conversion("SAVINGS", SENDS, at("12:00")))
                .as("never offered")
                .isNull();
        assertThat(attribution.conversion("CARD-PLAT", SENDS, T0900 + 14 * DAY_MS - 1))
                .isNotNull();
        assertThat(attribution.conversion("CARD-PLAT", SENDS, T0900 + 14 * DAY_MS))
                .as("14 d after: outside")
                .isNull();

        List<RecentSend> twice = List.of(
                new RecentSend("a", "C-OLD", T0900, true, "CARD-PLAT"),
                new RecentSend("b", "C-NEW", T1000, true, "CARD-PLAT"));
        assertThat(attribution.conversion("CARD-PLAT", twice, at("12:00")))
                .extracting(RecentSend::getCampaignId)
                .isEqualTo("C-NEW");
    }
}
