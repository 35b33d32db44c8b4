package io.campaignpulse.demo;

import io.campaignpulse.contract.MisfireRule;
import java.util.Map;

/** What one campaign's roll-up for one window must say (or the baseline's, under campaign "*"). */
public record ExpectedStats(
        long sends,
        long misfires,
        Map<MisfireRule, Long> misfiresByRule,
        long conversions,
        long feedback,
        long tickets,
        long reviews,
        Double avgSentiment,
        Double negativeShare) {}
