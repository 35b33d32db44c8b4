package io.campaignpulse.sentiment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SentimentScorerTest {

    private final SentimentScorer scorer = SentimentScorer.shared();

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Thanks for nothing.",
                "still waiting for my refund",
                "You charged twice for one order",
                "Please cancel my account",
                "No one ever called back",
                "Never again.",
                "not good",
                "The app is useless 😡"
            })
    void customerServiceComplaintsAreNegative(String text) {
        assertThat(scorer.score(text)).as(text).isLessThanOrEqualTo(-SentimentScorer.NEUTRAL_BAND);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"sorted in minutes, thank you", "Great service 👍", "not bad at all", "Can't complain, it works"
            })
    void praiseIsPositive(String text) {
        assertThat(scorer.score(text)).as(text).isGreaterThanOrEqualTo(SentimentScorer.NEUTRAL_BAND);
    }

    @Test
    void negationFlipsAndContrastWeighsTheSecondClause() {
        assertThat(scorer.score("The service was good")).isPositive();
        assertThat(scorer.score("The service was not good")).isNegative();
        assertThat(scorer.score("The staff were nice but the app is terrible")).isNegative();
        assertThat(scorer.score("Although the app is terrible, the staff were lovely"))
                .isPositive();
        assertThat(scorer.score("The staff were lovely, although the app is terrible"))
                .isPositive();
    }

    @Test
    void intensifiersCapsAndExclamationsAmplifyDampenersSoften() {
        double plain = scorer.score("The app is good");
        assertThat(scorer.score("The app is very good")).isGreaterThan(plain);
        assertThat(scorer.score("The app is slightly good")).isLessThan(plain);
        assertThat(scorer.score("The app is GOOD")).isGreaterThan(plain);
        assertThat(scorer.score("The app is good!!!")).isGreaterThan(plain);
        assertThat(scorer.score("The app is bad!!!")).isLessThan(scorer.score("The app is bad"));
    }

    @Test
    void emoticonsAndEmojiCount() {
        assertThat(scorer.score("my card arrived :)")).isPositive();
        assertThat(scorer.score("my card arrived :(")).isNegative();
        assertThat(scorer.score("my card arrived😡")).isNegative();
        assertThat(scorer.score("my card arrived ❤️")).isPositive();
    }

    @Test
    void emptyTextIsNeutralAndScoresStayInRange() {
        assertThat(scorer.score("")).isZero();
        assertThat(scorer.score(null)).isZero();
        assertThat(scorer.score("   ")).isZero();
        assertThat(scorer.score("terrible awful horrible worst disgusting useless rude!!!!"))
                .isBetween(-1.0, -0.9);
        assertThat(scorer.score("great excellent wonderful amazing perfect love!!!!"))
                .isBetween(0.9, 1.0);
    }

    @Test
    void explanationNamesTheWordsAndIdiomsThatDroveTheScore() {
        SentimentScorer.Explanation e = scorer.explain("Thanks for nothing, the app is not good");
        assertThat(e.score()).isEqualTo(scorer.score("Thanks for nothing, the app is not good"));
        assertThat(e.contributions())
                .extracting(SentimentScorer.Contribution::term)
                .containsExactly("thanks for nothing", "good");
        assertThat(e.contributions().get(1).valence()).isNegative();
    }

    @Test
    void ratingsMapOntoTheScoreScale() {
        assertThat(SentimentScorer.fromFivePointScale(1)).isEqualTo(-1.0);
        assertThat(SentimentScorer.fromFivePointScale(3)).isEqualTo(0.0);
        assertThat(SentimentScorer.fromFivePointScale(5)).isEqualTo(1.0);
    }

    @Test
    void negationStopsAtTheEndOfAClause() {
        assertThat(scorer.score("I signed up and got nothing. Very disappointed."))
                .isNegative();
        assertThat(scorer.score("The advert never mentioned it. Absolutely ridiculous."))
                .isNegative();
        assertThat(scorer.score("Great, another fee I did not know about. Brilliant, now my card is blocked."))
                .isNegative();
    }
}
