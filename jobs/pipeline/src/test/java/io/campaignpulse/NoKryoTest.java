package io.campaignpulse;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.alerting.AlertSignal;
import io.campaignpulse.alerting.CampaignWindow;
import io.campaignpulse.alerting.EmailMessage;
import io.campaignpulse.alerting.Incident;
import io.campaignpulse.alerting.WebhookCall;
import io.campaignpulse.attribution.AttributedFeedback;
import io.campaignpulse.attribution.Conversion;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignStats;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.Misfire;
import io.campaignpulse.customer.CustomerProcessor;
import io.campaignpulse.customer.PendingEvent;
import io.campaignpulse.customer.state.CustomerState;
import io.campaignpulse.ingest.Envelope;
import io.campaignpulse.misfire.SendVerdict;
import io.campaignpulse.rollup.CampaignRollups;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.runtime.RowSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.junit.jupiter.api.Test;

/**
 * Every record and state type is serialized by Avro, never by Kryo (which cannot evolve state).
 * The job also runs with generic types disabled, so a Kryo fallback fails at submission.
 */
class NoKryoTest {

    @Test
    void everyRecordAndStateTypeUsesTheAvroSerializer() {
        List<Class<?>> types = List.of(
                Envelope.class,
                Campaign.class,
                SendVerdict.class,
                Misfire.class,
                Alert.class,
                DeadLetter.class,
                CustomerState.class,
                PendingEvent.class,
                CampaignWindow.class,
                CampaignStats.class,
                AttributedFeedback.class,
                Conversion.class,
                AlertSignal.class,
                Incident.class,
                WebhookCall.class,
                EmailMessage.class);
        SerializerConfigImpl noGenerics = new SerializerConfigImpl();
        noGenerics.setGenericTypes(false);
        for (Class<?> type : types) {
            TypeInformation<?> info = TypeInformation.of(type);
            assertThat(info)
                    .as(type.getSimpleName())
                    .isInstanceOf(AvroTypeInfo.class)
                    .isNotInstanceOf(GenericTypeInfo.class);
            assertThat(info.createSerializer(noGenerics))
                    .as(type.getSimpleName())
                    .isInstanceOf(AvroSerializer.class);
        }
        for (TypeInformation<?> declared : List.of(
                PulsePipeline.ENVELOPE_TYPE,
                PulsePipeline.CAMPAIGN_TYPE,
                PulsePipeline.VERDICT_TYPE,
                PulsePipeline.MISFIRE_TYPE,
                PulsePipeline.ALERT_TYPE,
                PulsePipeline.SIGNAL_TYPE,
                CampaignRollups.STATS_TYPE,
                CustomerProcessor.FEEDBACK.getTypeInfo(),
                CustomerProcessor.CONVERSIONS.getTypeInfo())) {
            assertThat(declared.createSerializer(noGenerics)).isInstanceOf(AvroSerializer.class);
        }
        // The roll-ups' input rows: typed fields only (a generic field would fail here with generic types off).
        assertThat(CampaignRollups.ACTIVITY.createSerializer(noGenerics)).isInstanceOf(RowSerializer.class);
    }
}
