package io.campaignpulse.cli;

import io.campaignpulse.sentiment.SentimentScorer;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pulse score}: the pipeline's sentiment scorer on stdin, one text per line. */
@Command(
        name = "score",
        mixinStandardHelpOptions = true,
        description = {
            "Scores one text per line from stdin and prints one score per line, in [-1, 1]",
            "(<= -" + SentimentScorer.NEUTRAL_BAND + " negative, >= " + SentimentScorer.NEUTRAL_BAND
                    + " positive, neutral between). The same scorer and lexicons as the job."
        },
        footer = {"", "Example:", "  echo 'Thanks for nothing.' | pulse score --explain"})
public final class ScoreCommand implements Callable<Integer> {

    @Option(
            names = "--explain",
            description = "After each score, the words and idioms that drove it, with their weights.")
    boolean explain;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SentimentScorer scorer = SentimentScorer.shared();
        // Buffered: picocli's writer flushes every line, which made a pipe of texts cost a system
        // call per score. It is flushed whenever no more input is waiting, so a person typing lines
        // still sees each score at once.
        PrintWriter out = new PrintWriter(new BufferedWriter(spec.commandLine().getOut(), 1 << 16), false);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16);
        String line;
        while ((line = in.readLine()) != null) {
            if (!explain) {
                out.println(format(scorer.score(line)));
            } else {
                out.println(explained(scorer.explain(line)));
            }
            if (!in.ready()) {
                out.flush();
            }
        }
        out.flush();
        return 0;
    }

    private static String explained(SentimentScorer.Explanation e) {
        String drivers = e.contributions().isEmpty()
                ? "(no sentiment words)"
                : e.contributions().stream()
                        .map(c -> c.term() + " " + format(c.valence()))
                        .collect(Collectors.joining(", "));
        return format(e.score()) + "\t"
                + SentimentScorer.polarity(e.score()).name().toLowerCase(Locale.ROOT) + "\t" + drivers;
    }

    /**
     * What {@code "%+.4f"} prints, without String.format's parsing of its pattern on every line:
     * HALF_UP on the double's shortest decimal form, as the Formatter rounds.
     */
    static String format(double v) {
        boolean negative = v < 0 || (v == 0 && 1 / v < 0);
        return (negative ? "-" : "+")
                + BigDecimal.valueOf(Math.abs(v))
                        .setScale(4, RoundingMode.HALF_UP)
                        .toPlainString();
    }
}
