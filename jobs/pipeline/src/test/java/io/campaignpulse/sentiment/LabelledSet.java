package io.campaignpulse.sentiment;

import io.campaignpulse.sentiment.SentimentScorer.Polarity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A labelled sentence file (label TAB text) and the scorer's macro-F1 on it. */
record LabelledSet(String name, List<Example> examples) {

    record Example(Polarity label, String text) {}

    record Report(double macroF1, Map<Polarity, Double> f1, double accuracy, List<String> misses) {}

    static LabelledSet load(String resource) throws IOException {
        List<Example> examples = new ArrayList<>();
        try (var in = LabelledSet.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " missing");
            }
            var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                examples.add(new Example(
                        Polarity.valueOf(line.substring(0, tab).toUpperCase(Locale.ROOT)), line.substring(tab + 1)));
            }
        }
        return new LabelledSet(resource, examples);
    }

    Report evaluate(SentimentScorer scorer) {
        Map<Polarity, int[]> counts = new EnumMap<>(Polarity.class); // tp, fp, fn
        for (Polarity p : Polarity.values()) {
            counts.put(p, new int[3]);
        }
        List<String> misses = new ArrayList<>();
        int correct = 0;
        for (Example e : examples) {
            double score = scorer.score(e.text());
            Polarity predicted = SentimentScorer.polarity(score);
            if (predicted == e.label()) {
                correct++;
                counts.get(predicted)[0]++;
            } else {
                counts.get(predicted)[1]++;
                counts.get(e.label())[2]++;
                misses.add(
                        String.format(Locale.ROOT, "%-8s got %-8s %+.3f  %s", e.label(), predicted, score, e.text()));
            }
        }
        Map<Polarity, Double> f1 = new EnumMap<>(Polarity.class);
        double sum = 0;
        for (Polarity p : Polarity.values()) {
            int[] c = counts.get(p);
            double precision = c[0] + c[1] == 0 ? 0 : (double) c[0] / (c[0] + c[1]);
            double recall = c[0] + c[2] == 0 ? 0 : (double) c[0] / (c[0] + c[2]);
            double f = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            f1.put(p, f);
            sum += f;
        }
        return new Report(sum / 3, f1, (double) correct / examples.size(), misses);
    }
}
