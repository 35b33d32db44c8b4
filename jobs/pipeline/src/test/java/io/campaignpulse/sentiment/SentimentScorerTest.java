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

    @Test
    void butWeighsWithinItsOwnSentence() {
        // VADER halves everything before the first "but" of the whole text, here the praise of sentence one.
        String review = "The staff were wonderful and the branch was lovely. The app is slow but it works.";
        double firstAlone = scorer.score("The staff were wonderful and the branch was lovely.");
        assertThat(scorer.explain(review).contributions())
                .filteredOn(c -> c.term().equals("wonderful"))
                .singleElement()
                .satisfies(c -> assertThat(c.valence())
                        .isEqualTo(
                                scorer
                                        .explain("The staff were wonderful and the branch was lovely.")
                                        .contributions()
                                        .stream()
                                        .filter(d -> d.term().equals("wonderful"))
                                        .findFirst()
                                        .orElseThrow()
                                        .valence()));
        assertThat(firstAlone).isPositive();
    }

    @Test
    void sarcasticPraiseOfAServiceFailureIsNegative() {
        assertThat(scorer.score("Love waiting forty minutes on hold.")).isNegative();
        assertThat(scorer.score("Fantastic job charging me twice.")).isNegative();
        // praise set against the failure by "but" is not sarcasm
        assertThat(scorer.score("It was charged twice but the refund was quick, great service!"))
                .isPositive();
    }

    @Test
    void reviewIdiomsMeanWhatTheySay() {
        assertThat(scorer.score("Don't waste your money.")).isNegative();
        assertThat(scorer.score("Definitely not worth the fee.")).isNegative();
        assertThat(scorer.score("The service here is fair at best.")).isNegative();
        assertThat(scorer.score("I could not be happier with my new account.")).isPositive();
        assertThat(scorer.score("The chocolate cake is to die for!")).isPositive();
        assertThat(scorer.score("Nothing short of magnificent.")).isPositive();
        assertThat(scorer.score("We will be back.")).isPositive();
        assertThat(scorer.score("I won't be back.")).isNegative();
    }

    @Test
    void ratingsInWordsAndDigitsAreReadWhole() {
        assertThat(scorer.score("1 star.")).isNegative();
        assertThat(scorer.score("5 stars.")).isPositive();
        assertThat(scorer.score("Five star service.")).isPositive();
        assertThat(scorer.score("If there were zero stars I would give it zero stars."))
                .isNegative();
        // the star of the show is not a rating
        assertThat(scorer.score("The star of the show.")).isZero();
    }

    @Test
    void praiseOfSomethingElseCountsAgainst() {
        assertThat(scorer.score("My old phone holds the charge a lot better than this."))
                .isNegative();
        assertThat(scorer.score("I've had better bagels from the grocery store."))
                .isNegative();
        assertThat(scorer.score("This phone is better.")).isPositive();
    }

    @Test
    void likeThatComparesIsNotLiking() {
        assertThat(scorer.score("The beef is like shoe leather.")).isZero();
        assertThat(scorer.score("I like the new app.")).isPositive();
    }

    @Test
    void prettyAndCertaintyIntensifyWhatFollows() {
        assertThat(scorer.score("The service was pretty bad.")).isLessThan(scorer.score("The service was bad."));
        assertThat(scorer.score("The service was pretty good.")).isGreaterThan(scorer.score("The service was good."));
        assertThat(scorer.score("Definitely would not recommend.")).isLessThan(scorer.score("Would not recommend."));
        assertThat(scorer.score("What a pretty card design.")).isPositive();
    }

    @Test
    void commonEmojiCarrySentiment() {
        for (String positive : new String[] {"😂", "🤩", "💕", "✅", "🙌", "🥳", "👌"}) {
            assertThat(scorer.score("my new card " + positive)).as(positive).isPositive();
        }
        for (String negative : new String[] {"😩", "😱", "🤮", "💔", "❌", "🤦", "☹️"}) {
            assertThat(scorer.score("my new card " + negative)).as(negative).isNegative();
        }
    }
}
