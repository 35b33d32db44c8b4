package io.campaignpulse.attribution;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.customer.state.RecentSend;
import java.io.Serializable;
import java.util.List;

/**
 * Which campaign a piece of feedback or a conversion counts for. The one place the attribution
 * rule lives: today last touch (the customer's most recent send within the window before the
 * event); first-touch or multi-touch would be another implementation of these two methods.
 * Pure: no Flink, no clock.
 */
public final class Attribution implements Serializable {

    /** How feedback was attributed (recorded on every scored record). */
    public enum By {
        EXPLICIT,
        LAST_SEND,
        TICKET,
        NONE
    }

    /**
     * The campaign (null = baseline only), how it was found, and the send it came through (with
     * its time) where one is known: the latest send, or for an explicit campaign the customer's
     * latest send of that campaign within the window.
     */
    public record Attributed(String campaignId, By by, String sendId, Long sentAt) {}

    private final long windowMs;
    private final long conversionWindowMs;

    public Attribution(PulseConfig.Attribution config) {
        this.windowMs = config.window().toMillis();
        this.conversionWindowMs = config.conversionWindow().toMillis();
    }

    /**
     * Feedback at {@code at}: its explicit campaign if it names one; else the campaign of the most
     * recent send in (at - window, at]; else none.
     *
     * @param recentSends the customer's judged sends, oldest first
     */
    public Attributed feedback(String explicitCampaignId, List<RecentSend> recentSends, long at) {
        if (explicitCampaignId != null && !explicitCampaignId.isBlank()) {
            for (int i = recentSends.size() - 1; i >= 0; i--) {
                RecentSend s = recentSends.get(i);
                if (s.getSentAt() <= at
                        && s.getSentAt() > at - windowMs
                        && s.getCampaignId().equals(explicitCampaignId)) {
                    return new Attributed(explicitCampaignId, By.EXPLICIT, s.getSendId(), s.getSentAt());
                }
            }
            return new Attributed(explicitCampaignId, By.EXPLICIT, null, null);
        }
        for (int i = recentSends.size() - 1; i >= 0; i--) {
            RecentSend s = recentSends.get(i);
            if (s.getSentAt() <= at) {
                return s.getSentAt() > at - windowMs
                        ? new Attributed(s.getCampaignId(), By.LAST_SEND, s.getSendId(), s.getSentAt())
                        : none();
            }
        }
        return none();
    }

    /**
     * A product opened at {@code at} converts the most recent send that offered it in
     * (at - conversion-window, at]; null if none did.
     */
    public RecentSend conversion(String productId, List<RecentSend> recentSends, long at) {
        for (int i = recentSends.size() - 1; i >= 0; i--) {
            RecentSend s = recentSends.get(i);
            if (s.getSentAt() > at) {
                continue;
            }
            if (s.getSentAt() <= at - conversionWindowMs) {
                return null;
            }
            if (productId.equals(s.getOfferProductId())) {
                return s;
            }
        }
        return null;
    }

    private static Attributed none() {
        return new Attributed(null, By.NONE, null, null);
    }
}
