package io.campaignpulse.ingest;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.ConsentChange;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.HoldingChange;
import io.campaignpulse.contract.Review;
import io.campaignpulse.contract.TicketEvent;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** Which record type each input topic carries, under the topic names the configuration gives. */
public final class InputTopics implements Serializable {

    private final Map<String, Class<? extends SpecificRecord>> recordTypes = new LinkedHashMap<>();

    public InputTopics(PulseConfig.Topics topics) {
        recordTypes.put(topics.campaigns(), Campaign.class);
        recordTypes.put(topics.campaignSends(), CampaignSend.class);
        recordTypes.put(topics.customerHoldings(), HoldingChange.class);
        recordTypes.put(topics.customerConsent(), ConsentChange.class);
        recordTypes.put(topics.tickets(), TicketEvent.class);
        recordTypes.put(topics.reviews(), Review.class);
        recordTypes.put(topics.control(), ControlMessage.class);
    }

    /** @return the record type of the topic, or null for a topic that is not an input. */
    public Class<? extends SpecificRecord> recordType(String topic) {
        return recordTypes.get(topic);
    }

    public Map<String, Class<? extends SpecificRecord>> all() {
        return recordTypes;
    }
}
