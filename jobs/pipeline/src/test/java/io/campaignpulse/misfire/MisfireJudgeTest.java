package io.campaignpulse.misfire;

import static io.campaignpulse.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.Channel;
import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.customer.state.CustomerFacts;
import io.campaignpulse.customer.state.CustomerState;
import io.campaignpulse.customer.state.RecentSend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules' edges, without Flink. */
class MisfireJudgeTest {

    private final MisfireJudge judge = new MisfireJudge(config().misfire());

    private static CustomerState state() {
        return new CustomerState(new HashMap<>(), new HashMap<>(), new ArrayList<>(), new HashMap<>(), new HashMap<>());
    }

    private List<MisfireRule> rules(MisfireJudge j, CampaignSend send, Campaign campaign, CustomerState state) {
        return j.judge(send, campaign, state, send.getSentAt().toEpochMilli()).getMisfires().stream()
                .map(m -> m.getRule())
                .toList();
    }

    private List<MisfireRule> rules(CampaignSend send, Campaign campaign, CustomerState state) {
        return rules(judge, send, campaign, state);
    }

    @Test
    void retentionAndServiceOffersToHoldersAreNotMisfires() {
        CustomerState s = state();
        CustomerFacts.apply(s, holding("c", "CARD-PLAT", HoldingStatus.ACTIVE, at("01:00")));
        assertThat(rules(send("1", "R", "c", T0900), campaign("R", "Keep", OfferType.RETENTION, "CARD-PLAT"), s))
                .isEmpty();
        assertThat(rules(send("2", "S", "c", T0900), campaign("S", "Notice", OfferType.SERVICE, "CARD-PLAT"), s))
                .isEmpty();
        assertThat(rules(send("3", "X", "c", T0900), campaign("X", "Push", OfferType.UPSELL, "CARD-PLAT"), s))
                .containsExactly(MisfireRule.ALREADY_HOLDS_PRODUCT);
    }

    @Test
    void aClosedProductIsNoLongerHeldButStillMakesNoProspect() {
        CustomerState s = state();
        CustomerFacts.apply(s, holding("c", "CARD-PLAT", HoldingStatus.ACTIVE, at("01:00")));
        CustomerFacts.apply(s, holding("c", "CARD-PLAT", HoldingStatus.CLOSED, at("02:00")));
        assertThat(rules(send("1", "A", "c", T0900), campaign("A", "Acq", OfferType.ACQUISITION, "CARD-PLAT"), s))
                .isEmpty();
    }

    @Test
    void theLatestConsentCoveringTheChannelWinsAndServiceIsExempt() {
        CustomerState s = state();
        CustomerFacts.apply(s, consent("c", null, false, at("01:00")));
        CustomerFacts.apply(s, consent("c", Channel.EMAIL, true, at("02:00")));
        Campaign promo = campaign("P", "Promo", OfferType.CROSS_SELL, null);
        assertThat(rules(send("1", "P", "c", T0900), promo, s))
                .as("EMAIL re-consented after the global opt-out")
                .isEmpty();
        CustomerFacts.apply(s, consent("c", null, false, at("03:00")));
        assertThat(rules(send("2", "P", "c", T0900), promo, s)).containsExactly(MisfireRule.NO_CONSENT);
        assertThat(rules(send("3", "S", "c", T0900), campaign("S", "Notice", OfferType.SERVICE, null), s))
                .isEmpty();
    }

    @Test
    void withAnOptedOutDefaultNoRecordMeansNoConsent() {
        MisfireJudge strict = new MisfireJudge(
                config(Map.of("misfire.consent-default-opted-in", "false")).misfire());
        assertThat(rules(
                        strict,
                        send("1", "P", "c", T0900),
                        campaign("P", "Promo", OfferType.CROSS_SELL, null),
                        state()))
                .containsExactly(MisfireRule.NO_CONSENT);
    }

    @Test
    void theFrequencyCapCountsOnlyPromotionalSendsInsideTheWindow() {
        CustomerState s = state();
        long t = T0900;
        long day = Duration.ofHours(24).toMillis();
        s.getRecentSends().add(new RecentSend("old", "A", t - day, true, null)); // exactly 24 h before: outside
        s.getRecentSends().add(new RecentSend("a", "A", t - 3000, true, null));
        s.getRecentSends().add(new RecentSend("b", "B", t - 2000, true, null));
        s.getRecentSends().add(new RecentSend("svc", "S", t - 1500, false, null));
        Campaign c = campaign("C", "Third", OfferType.CROSS_SELL, null);
        assertThat(rules(send("c", "C", "cust", t), c, s))
                .as("3 promotional sends, this one included")
                .isEmpty();
        s.getRecentSends().add(new RecentSend("d", "D", t - 1000, true, null));
        assertThat(rules(send("e", "C", "cust", t), c, s)).containsExactly(MisfireRule.FREQUENCY_CAP);
        assertThat(rules(send("f", "S2", "cust", t), campaign("S2", "Notice", OfferType.SERVICE, null), s))
                .as("a SERVICE send is never capped")
                .isEmpty();
    }

    @Test
    void theSendsOwnOfferOverridesItsCampaign() {
        CustomerState s = state();
        CustomerFacts.apply(s, holding("c", "LOAN", HoldingStatus.ACTIVE, at("01:00")));
        CampaignSend send = send("1", "S", "c", T0900);
        send.setOfferType(OfferType.ACQUISITION);
        send.setOfferProductId("LOAN");
        assertThat(rules(send, campaign("S", "Notice", OfferType.SERVICE, null), s))
                .containsExactly(MisfireRule.ALREADY_HOLDS_PRODUCT, MisfireRule.ACQUISITION_TO_EXISTING_CUSTOMER);
    }

    @Test
    void anOfferTypeThisVersionDoesNotKnowNeverOverridesTheCampaigns() {
        CustomerState s = state();
        CustomerFacts.apply(s, holding("c", "CARD-CLASSIC", HoldingStatus.ACTIVE, at("01:00")));
        CampaignSend send = send("1", "L", "c", T0900);
        send.setOfferType(OfferType.UNKNOWN); // a newer producer's symbol, read by this version
        assertThat(rules(send, campaign("L", "Welcome loan", OfferType.ACQUISITION, "LOAN"), s))
                .containsExactly(MisfireRule.ACQUISITION_TO_EXISTING_CUSTOMER);
    }
}
