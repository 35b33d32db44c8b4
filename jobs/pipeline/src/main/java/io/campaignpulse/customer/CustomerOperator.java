package io.campaignpulse.customer;

import io.campaignpulse.campaign.CampaignDirectory;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.ingest.Envelope;
import io.campaignpulse.misfire.SendVerdict;
import java.util.List;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.TimerHeapInternalTimer;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;

/**
 * Runs the {@link CustomerProcessor}: Flink's keyed-broadcast operator, except that the step's
 * timers are its in-memory {@link DueInstants}. When a watermark arrives, every instant it passes
 * fires first, in order, with the customer as the current key, exactly as a Flink timer would
 * call {@code onTimer} (the output carries the instant as its timestamp); then the watermark goes
 * on as usual. Flink's timer service stays, for the timers a savepoint of an earlier release
 * holds.
 */
public final class CustomerOperator extends CoBroadcastWithKeyedOperator<String, Envelope, Campaign, SendVerdict> {

    private static final long serialVersionUID = 1L;

    public CustomerOperator(CustomerProcessor step) {
        super(step, List.of(CampaignDirectory.DESCRIPTOR));
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        DueInstants instants = ((CustomerProcessor) getUserFunction()).dueInstants();
        DueInstants.Instant due;
        while ((due = instants.pollDue(mark.getTimestamp())) != null) {
            setCurrentKey(due.customer());
            onEventTime(new TimerHeapInternalTimer<>(due.time(), due.customer(), VoidNamespace.INSTANCE));
        }
        super.processWatermark(mark);
    }
}
