package io.campaignpulse.demo;

import static io.campaignpulse.demo.DayRecords.HOUR;

import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.TicketEvent;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Tickets and reviews: recipients of misfires complain; the over-promising cashback campaign
 * draws angry tickets (some resolved later, with a low CSAT) and poor reviews; the home
 * insurance offer draws thanks and good reviews; everyone else asks the odd question.
 */
final class FeedbackGenerator {

    private final DayRecords records;
    private final Random rnd;

    FeedbackGenerator(DayRecords records, Random rnd) {
        this.records = records;
        this.rnd = rnd;
    }

    /** Feedback on every send written so far; the planted misfires are the ones that draw complaints. */
    void write(Map<MisfireRule, Set<String>> planted) {
        for (CampaignSend s : records.sends) {
            boolean misfire = planted.values().stream().anyMatch(set -> set.contains(s.getSendId()));
            ticket(s, misfire);
            review(s);
        }
    }

    private void ticket(CampaignSend s, boolean misfire) {
        String campaign = s.getCampaignId();
        if (misfire && rnd.nextDouble() < 0.15) {
            records.openTicket(s, pick(FeedbackTexts.ANGRY), "complaint");
        } else if (campaign.equals("C-CASH") && rnd.nextDouble() < 0.12) {
            TicketEvent opened = records.openTicket(s, pick(FeedbackTexts.CASHBACK_ANGRY), "complaint");
            if (rnd.nextDouble() < 0.3) {
                long at = opened.getOccurredAt().toEpochMilli() + 4 * HOUR + (long) (rnd.nextDouble() * 6 * HOUR);
                records.resolveTicket(opened, 1 + rnd.nextInt(2), at);
            }
        } else if (campaign.equals("C-HOME") && rnd.nextDouble() < 0.015) {
            // Pleased customers seldom open a ticket; they write reviews.
            records.openTicket(s, pick(FeedbackTexts.HAPPY), "question");
        } else if (rnd.nextDouble() < 0.01) {
            records.openTicket(s, pick(FeedbackTexts.QUESTIONS), "question");
        }
    }

    private void review(CampaignSend s) {
        String campaign = s.getCampaignId();
        String[] text = null;
        int rating = 0;
        if (campaign.equals("C-CASH") && rnd.nextDouble() < 0.05) {
            text = pick(FeedbackTexts.CASHBACK_REVIEWS);
            rating = 1 + rnd.nextInt(2);
        } else if (campaign.equals("C-HOME") && rnd.nextDouble() < 0.07) {
            text = pick(FeedbackTexts.HAPPY_REVIEWS);
            rating = 4 + rnd.nextInt(2);
        } else if (rnd.nextDouble() < 0.005) {
            rating = 3 + rnd.nextInt(3); // a rating without text: the stars stand in
        }
        if (text != null || rating > 0) {
            long at = s.getSentAt().toEpochMilli() + HOUR + (long) (rnd.nextDouble() * 7 * HOUR);
            String product = records.campaigns.get(campaign).getOfferProductId();
            records.review(s.getCustomerId(), product, rating, text, at);
        }
    }

    private String[] pick(String[][] texts) {
        return texts[rnd.nextInt(texts.length)];
    }
}
