package io.campaignpulse.demo;

import static io.campaignpulse.demo.DayRecords.HOUR;
import static io.campaignpulse.demo.DayRecords.MINUTE;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.Channel;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.HoldingChange;
import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.contract.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The day's bad records, one kind per dead-letter reason, and how many of each the job must dead-letter. */
final class BadRecords {

    private BadRecords() {}

    static void plant(DayRecords records, List<String> customers, Map<DeadLetterReason, Integer> planted) {
        PulseConfig.Topics topics = records.topics();
        String tag = records.dayTag;
        long mid = records.day + 12 * HOUR;
        for (int i = 0; i < 5; i++) {
            byte[] json = ("{\"not\": \"avro\", \"n\": " + i + "}").getBytes(StandardCharsets.UTF_8);
            records.raw(mid, mid + i * MINUTE, topics.campaignSends(), "cust-x", json);
        }
        planted.put(DeadLetterReason.DECODE_ERROR, 5);
        for (int i = 0; i < 3; i++) {
            CampaignSend s = CampaignSend.newBuilder()
                    .setSendId("bad-missing-" + tag + "-" + i)
                    .setCampaignId("C-PLAT")
                    .setCustomerId("")
                    .setChannel(Channel.EMAIL)
                    .setSentAt(Instant.ofEpochMilli(mid))
                    .build();
            records.raw(mid, mid + i * MINUTE, topics.campaignSends(), "", WireFormat.singleObject(s));
        }
        planted.put(DeadLetterReason.MISSING_FIELD, 3);
        for (int i = 0; i < 2; i++) {
            HoldingChange h = HoldingChange.newBuilder()
                    .setCustomerId(customers.get(i))
                    .setProductId("CARD-PLAT")
                    .setStatus(HoldingStatus.UNKNOWN)
                    .setChangedAt(Instant.ofEpochMilli(mid))
                    .build();
            records.raw(mid, mid + i * MINUTE, topics.customerHoldings(), customers.get(i), WireFormat.singleObject(h));
        }
        planted.put(DeadLetterReason.UNKNOWN_ENUM, 2);
        for (int i = 0; i < 2; i++) {
            CampaignSend s = CampaignSend.newBuilder()
                    .setSendId("ghost-" + tag + "-" + i)
                    .setCampaignId("C-GHOST")
                    .setCustomerId(customers.get(i))
                    .setChannel(Channel.EMAIL)
                    .setSentAt(Instant.ofEpochMilli(mid + i))
                    .build();
            records.ghostSends.add(s); // never judged, but the customer got it: feedback after it is attributed to it
            records.raw(mid, mid + i * MINUTE, topics.campaignSends(), customers.get(i), WireFormat.singleObject(s));
        }
        planted.put(DeadLetterReason.UNKNOWN_CAMPAIGN, 2);
        badClocks(records, planted);
    }

    /**
     * A send stamped 2099 and a holding stamped 1960, published early in the day. Taken as event
     * times, the first would move its partition's watermark to 2099 and make everything after it
     * late; the decoder refuses both before any watermark sees them.
     */
    private static void badClocks(DayRecords records, Map<DeadLetterReason, Integer> planted) {
        long early = records.day + 6 * HOUR + MINUTE;
        CampaignSend future = CampaignSend.newBuilder()
                .setSendId("bad-clock-" + records.dayTag)
                .setCampaignId("C-PLAT")
                .setCustomerId("cust-bad-clock")
                .setChannel(Channel.EMAIL)
                .setSentAt(Instant.parse("2099-01-01T09:00:00Z"))
                .build();
        records.raw(early, early, records.topics().campaignSends(), "cust-bad-clock", WireFormat.singleObject(future));
        HoldingChange past = HoldingChange.newBuilder()
                .setCustomerId("cust-bad-clock")
                .setProductId("CARD-PLAT")
                .setStatus(HoldingStatus.ACTIVE)
                .setChangedAt(Instant.parse("1960-01-01T00:00:00Z"))
                .build();
        records.raw(early, early, records.topics().customerHoldings(), "cust-bad-clock", WireFormat.singleObject(past));
        planted.put(DeadLetterReason.INVALID_TIMESTAMP, 2);
    }
}
