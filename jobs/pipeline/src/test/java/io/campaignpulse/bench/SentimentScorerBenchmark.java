package io.campaignpulse.bench;

import io.campaignpulse.sentiment.SentimentScorer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Texts scored per second on one thread: the labelled customer-service sentences (tickets,
 * reviews, praise, sarcasm, mixed; 3-20 words each), scored round-robin. One operation = one
 * text. Run: mvn -B -pl jobs -Pbench test
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SentimentScorerBenchmark {

    private SentimentScorer scorer;
    private String[] texts;
    private int next;

    @Setup
    public void load() throws IOException {
        scorer = SentimentScorer.shared();
        List<String> all = new ArrayList<>();
        for (String set : new String[] {"/sentiment/labelled-dev.tsv", "/sentiment/labelled-holdout.tsv"}) {
            try (var reader = new BufferedReader(new InputStreamReader(
                    SentimentScorerBenchmark.class.getResourceAsStream(set), StandardCharsets.UTF_8))) {
                reader.lines()
                        .filter(l -> !l.isBlank() && !l.startsWith("#"))
                        .forEach(l -> all.add(l.substring(l.lastIndexOf('\t') + 1))); // label, VADER's score, text
            }
        }
        texts = all.toArray(new String[0]);
    }

    @Benchmark
    public double scoreOneText() {
        String text = texts[next];
        next = next + 1 == texts.length ? 0 : next + 1;
        return scorer.score(text);
    }
}
