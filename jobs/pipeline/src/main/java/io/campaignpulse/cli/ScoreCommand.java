package io.campaignpulse.cli;

import io.campaignpulse.sentiment.SentimentScorer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
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
        PrintWriter out = spec.commandLine().getOut();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (!explain) {
                out.println(format(scorer.score(line)));
                continue;
            }
            SentimentScorer.Explanation e = scorer.explain(line);
            String drivers = e.contributions().isEmpty()
                    ? "(no sentiment words)"
                    : e.contributions().stream()
                            .map(c -> c.term() + " " + format(c.valence()))
                            .collect(Collectors.joining(", "));
            out.println(format(e.score()) + "\t"
                    + SentimentScorer.polarity(e.score()).name().toLowerCase(Locale.ROOT) + "\t" + drivers);
        }
        out.flush();
        return 0;
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%+.4f", v);
    }
}
