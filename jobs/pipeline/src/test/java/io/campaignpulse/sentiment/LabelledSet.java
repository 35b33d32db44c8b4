package io.campaignpulse.sentiment;

import io.campaignpulse.sentiment.SentimentScorer.Polarity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * A labelled sentence file (label TAB VADER's compound score TAB text) and a scorer's figures on
 * it: macro-F1 over the labels the set uses (a neutral answer on a set labelled only negative or
 * positive is a miss), accuracy, and the Pearson correlation of the score with the label (-1, 0,
 * +1). The VADER column lets the same figures be computed for the original VADER.
 */
record LabelledSet(String name, List<Example> examples) {

    record Example(Polarity label, double vader, String text) {}

    record Report(double macroF1, Map<Polarity, Double> f1, double accuracy, double correlation, List<String> misses) {}

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
                String[] parts = line.split("\t", 3);
                if (parts.length != 3) {
                    throw new IllegalStateException(resource + ": expected label, VADER score, text: " + line);
                }
                examples.add(new Example(
                        Polarity.valueOf(parts[0].toUpperCase(Locale.ROOT)), Double.parseDouble(parts[1]), parts[2]));
            }
        }
        return new LabelledSet(resource, examples);
    }

    Report evaluate(SentimentScorer scorer) {
        return evaluate(e -> scorer.score(e.text()));
    }

    Report evaluateVader() {
        return evaluate(Example::vader);
    }

    private Report evaluate(ToDoubleFunction<Example> scores) {
        Set<Polarity> labels = EnumSet.noneOf(Polarity.class);
        examples.forEach(e -> labels.add(e.label()));
        Map<Polarity, int[]> counts = new EnumMap<>(Polarity.class); // tp, fp, fn
        for (Polarity p : Polarity.values()) {
            counts.put(p, new int[3]);
        }
        List<String> misses = new ArrayList<>();
        int correct = 0;
        double[] x = new double[examples.size()];
        double[] y = new double[examples.size()];
        for (int k = 0; k < examples.size(); k++) {
            Example e = examples.get(k);
            double score = scores.applyAsDouble(e);
            x[k] = score;
            y[k] = e.label() == Polarity.NEGATIVE ? -1 : e.label() == Polarity.POSITIVE ? 1 : 0;
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
        for (Polarity p : labels) {
            int[] c = counts.get(p);
            double precision = c[0] + c[1] == 0 ? 0 : (double) c[0] / (c[0] + c[1]);
            double recall = c[0] + c[2] == 0 ? 0 : (double) c[0] / (c[0] + c[2]);
            double f = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            f1.put(p, f);
            sum += f;
        }
        return new Report(sum / labels.size(), f1, (double) correct / examples.size(), pearson(x, y), misses);
    }

    private static double pearson(double[] x, double[] y) {
        double mx = 0;
        double my = 0;
        for (int k = 0; k < x.length; k++) {
            mx += x[k];
            my += y[k];
        }
        mx /= x.length;
        my /= y.length;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int k = 0; k < x.length; k++) {
            sxy += (x[k] - mx) * (y[k] - my);
            sxx += (x[k] - mx) * (x[k] - mx);
            syy += (y[k] - my) * (y[k] - my);
        }
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
    }
}
