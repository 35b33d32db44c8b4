package io.campaignpulse.sentiment;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A lexicon-based sentiment scorer in the VADER family (Hutto &amp; Gilbert, 2014), written for
 * Campaign Pulse: the VADER lexicon and its rules (negation, boosters and dampeners, "but",
 * ALL-CAPS and "!" emphasis, emoticons), plus a customer-service lexicon of idioms and emoji
 * ("thanks for nothing", "charged twice", "sorted in minutes", 😡), "although" contrast, a
 * sarcastic opening interjection ("Great, another fee."), and negation that stops at a clause
 * boundary (VADER lets "nothing." negate the next sentence).
 *
 * <p>Scores are VADER's compound score in [-1, 1]; |score| &lt; 0.05 is neutral. The lexicons
 * are loaded once per JVM ({@link #shared()}); scoring compiles no regex and allocates only
 * the text's tokens, so one instance serves every record of a task, and is thread-safe.
 *
 * <p>Why our own code: the one Java port on Maven Central is unmaintained and bundles an
 * unshaded commons-lang, which would leak onto the Flink classpath. The VADER lexicon is MIT
 * licensed and shipped as a resource with its licence.
 */
public final class SentimentScorer {

    /** Recorded on every scored record; change it whenever the lexicons or the rules change. */
    public static final String VERSION = "pulse-vader-3.3+service-2";

    /** VADER's threshold for neutral. */
    public static final double NEUTRAL_BAND = 0.05;

    private static final String RESOURCES = "/campaign-pulse/sentiment/";
    private static final double B_INCR = 0.293;
    private static final double B_DECR = -0.293;
    private static final double C_INCR = 0.733;
    private static final double N_SCALAR = -0.74;
    private static final double ALPHA = 15;

    private static final Set<String> NEGATIONS = Set.of(
            "aint",
            "arent",
            "cannot",
            "cant",
            "couldnt",
            "darent",
            "didnt",
            "doesnt",
            "dont",
            "hadnt",
            "hasnt",
            "havent",
            "isnt",
            "mightnt",
            "mustnt",
            "neither",
            "neednt",
            "never",
            "none",
            "nope",
            "nor",
            "not",
            "nothing",
            "nowhere",
            "oughtnt",
            "shant",
            "shouldnt",
            "uhuh",
            "wasnt",
            "werent",
            "without",
            "wont",
            "wouldnt",
            "rarely",
            "seldom",
            "despite",
            "uh-uh",
            // not in VADER's list, but in every other complaint: "nobody could help"
            "nobody");

    /**
     * Adverbs of certainty are lexicon words in VADER ("definitely" +1.7), which makes "definitely
     * not worth it" positive; here they intensify what follows, like "very".
     */
    private static final Set<String> CERTAINTY = Set.of("definitely", "certainly", "surely", "truly");

    private static final Map<String, Double> BOOSTERS = boosters();

    /** Before these, "like" compares ("tastes like cardboard", "is like a bad dream"); it is not liking. */
    private static final Set<String> BEFORE_LIKE_AS_PREPOSITION = Set.of(
            "is",
            "was",
            "are",
            "were",
            "be",
            "been",
            "being",
            "it's",
            "its",
            "looks",
            "look",
            "looked",
            "looking",
            "feels",
            "feel",
            "felt",
            "seems",
            "seem",
            "seemed",
            "sounds",
            "sound",
            "sounded",
            "tastes",
            "taste",
            "tasted",
            "smells",
            "smell",
            "smelled",
            "just",
            "more",
            "much",
            "exactly",
            "something",
            "nothing",
            "anything",
            "things",
            "stuff",
            "acts",
            "act",
            "acted",
            "treated",
            "treat",
            "treats");

    /** After "than", the thing under review: praise before "better than this" is for something else. */
    private static final Set<String> REVIEWED_THING = Set.of("this", "these", "it", "them", "here", "that");

    /** Praise that a complaint in the same sentence makes sarcastic ("Love waiting forty minutes on hold."). */
    private static final Set<String> PRAISE = Set.of(
            "love",
            "loved",
            "loving",
            "great",
            "fantastic",
            "brilliant",
            "wonderful",
            "perfect",
            "thanks",
            "thank",
            "awesome",
            "amazing",
            "excellent",
            "superb",
            "nice",
            "enjoy",
            "enjoyed",
            "enjoying",
            "fabulous",
            "marvellous",
            "marvelous",
            "terrific",
            "super",
            "lovely");

    private static volatile SentimentScorer shared;

    private final Map<String, Double> words;
    private final Map<String, Idiom[]> idiomsByFirstWord;

    /** One word or idiom that moved a score, with its contribution after negation, boosting and contrast. */
    public record Contribution(String term, double valence) {}

    /** A score with the terms that drove it. */
    public record Explanation(double score, List<Contribution> contributions) {}

    private record Idiom(String text, String[] tokens, double valence) {}

    private SentimentScorer(Map<String, Double> words, Map<String, Idiom[]> idiomsByFirstWord) {
        this.words = words;
        this.idiomsByFirstWord = idiomsByFirstWord;
    }

    /** The scorer with the bundled lexicons, loaded on first use and then shared by the JVM. */
    public static SentimentScorer shared() {
        SentimentScorer s = shared;
        if (s == null) {
            synchronized (SentimentScorer.class) {
                s = shared;
                if (s == null) {
                    s = load();
                    shared = s;
                }
            }
        }
        return s;
    }

    private static SentimentScorer load() {
        Map<String, Double> terms = new HashMap<>(16_384);
        readLexicon("vader-lexicon.tsv", terms);
        readLexicon("service-lexicon.tsv", terms); // overrides
        Map<String, Double> words = new HashMap<>(terms.size() * 2);
        Map<String, List<Idiom>> idioms = new HashMap<>();
        // Single words first, so that a reduced idiom ("a joke" → "joke") overrides the plain word.
        List<Map.Entry<String, Double>> ordered = new ArrayList<>(terms.entrySet());
        ordered.sort(
                Comparator.comparing((Map.Entry<String, Double> e) -> e.getKey().indexOf(' ') >= 0)
                        .thenComparing(Map.Entry::getKey));
        for (Map.Entry<String, Double> e : ordered) {
            String term = e.getKey();
            // Texts lose their one-letter words ("a", "I") when split, so idioms do too: "a joke" is "joke".
            String[] tokens = Arrays.stream(term.split(" "))
                    .filter(w -> w.length() > 1 || !Character.isLetter(w.charAt(0)))
                    .toArray(String[]::new);
            if (tokens.length == 1) {
                words.put(tokens[0], e.getValue());
            } else if (tokens.length > 1) {
                idioms.computeIfAbsent(tokens[0], k -> new ArrayList<>()).add(new Idiom(term, tokens, e.getValue()));
            }
        }
        CERTAINTY.forEach(words::remove);
        Map<String, Idiom[]> byFirst = new HashMap<>();
        idioms.forEach((first, list) -> {
            list.sort(Comparator.comparingInt((Idiom i) -> i.tokens().length).reversed()); // longest match first
            byFirst.put(first, list.toArray(new Idiom[0]));
        });
        return new SentimentScorer(words, byFirst);
    }

    private static void readLexicon(String name, Map<String, Double> into) {
        try (InputStream in = SentimentScorer.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException(
                        "sentiment lexicon " + RESOURCES + name + " is missing from the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int lineNo = 0;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (line.isBlank() || line.startsWith("# ") || line.equals("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                int end = line.indexOf('\t', tab + 1);
                if (tab <= 0) {
                    throw new IllegalStateException(name + " line " + lineNo + ": expected term<TAB>valence");
                }
                String term = normalizeTerm(line.substring(0, tab));
                into.put(
                        term,
                        Double.parseDouble(line.substring(tab + 1, end < 0 ? line.length() : end)
                                .trim()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String normalizeTerm(String term) {
        return term.toLowerCase(Locale.ROOT).replace('\u2019', '\'').replace("\uFE0F", "");
    }

    /** The compound score of a text in [-1, 1]; 0 for a blank or null text. */
    public double score(CharSequence text) {
        return text == null ? 0.0 : run(text, null);
    }

    /** The score and the terms that drove it, largest first. */
    public Explanation explain(CharSequence text) {
        List<Contribution> contributions = new ArrayList<>();
        double score = text == null ? 0.0 : run(text, contributions);
        contributions.sort(Comparator.comparingDouble((Contribution c) -> Math.abs(c.valence()))
                .reversed());
        return new Explanation(score, contributions);
    }

    /** The text of a ticket (subject, body) or review (title, body) as scored: both parts, or the one present; null for neither. */
    public static String textOf(String heading, String body) {
        boolean hasHeading = heading != null && !heading.isBlank();
        boolean hasBody = body != null && !body.isBlank();
        return hasHeading && hasBody ? heading + ". " + body : hasHeading ? heading : hasBody ? body : null;
    }

    /** Negative, neutral or positive by VADER's ±0.05 band. */
    public static Polarity polarity(double score) {
        return score <= -NEUTRAL_BAND
                ? Polarity.NEGATIVE
                : score >= NEUTRAL_BAND ? Polarity.POSITIVE : Polarity.NEUTRAL;
    }

    public enum Polarity {
        NEGATIVE,
        NEUTRAL,
        POSITIVE
    }

    /** A 1-5 star rating or CSAT on the same scale as a text score: 1 → -1, 3 → 0, 5 → 1. */
    public static double fromFivePointScale(int value) {
        return Math.max(-1.0, Math.min(1.0, (value - 3) / 2.0));
    }

    // ------------------------------------------------------------------ the algorithm

    private double run(CharSequence text, List<Contribution> explain) {
        Tokens t = Tokens.of(text);
        int n = t.size;
        if (n == 0) {
            return 0.0;
        }
        boolean capDiff = t.upperCount > 0 && t.upperCount < t.wordCount;
        double[] sentiments = new double[n];
        String[] labels = explain == null ? null : new String[n];
        boolean[] consumed = new boolean[n];
        boolean[] complaint = null; // where an idiom that is a complaint on its own starts; null: none

        for (int i = 0; i < n; i++) {
            if (consumed[i]) {
                continue;
            }
            String word = t.lower[i];
            double base = Double.NaN;
            Idiom idiom = idiomAt(t, i);
            if (idiom != null) {
                base = idiom.valence();
                if (base <= -1.0) {
                    if (complaint == null) {
                        complaint = new boolean[n];
                    }
                    complaint[i] = true;
                }
                for (int k = 1; k < idiom.tokens().length; k++) {
                    consumed[i + k] = true;
                }
                if (labels != null) {
                    labels[i] = idiom.text();
                }
            } else if (BOOSTERS.containsKey(word)
                    || (word.equals("kind") && i + 1 < n && t.lower[i + 1].equals("of"))
                    || intensifyingPretty(t, i)
                    || (word.equals("like") && i > 0 && BEFORE_LIKE_AS_PREPOSITION.contains(t.lower[i - 1]))) {
                continue;
            } else {
                Double v = words.get(word);
                if (v == null) {
                    continue;
                }
                base = v;
                if (labels != null) {
                    labels[i] = t.lower[i];
                }
            }
            sentiments[i] = valence(t, i, base, idiom != null, capDiff);
        }

        comparisonCheck(t, sentiments);
        butCheck(t, sentiments);
        althoughCheck(t, sentiments);
        sarcasticInterjectionCheck(t, sentiments);
        if (complaint != null) {
            sarcasticPraiseCheck(t, sentiments, complaint);
        }

        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += sentiments[i];
            if (labels != null && labels[i] != null && sentiments[i] != 0.0) {
                explain.add(new Contribution(labels[i], Math.round(sentiments[i] * 1000) / 1000.0));
            }
        }
        if (sum > 0) {
            sum += punctuationEmphasis(t);
        } else if (sum < 0) {
            sum -= punctuationEmphasis(t);
        }
        double compound = sum / Math.sqrt(sum * sum + ALPHA);
        return Math.max(-1.0, Math.min(1.0, compound));
    }

    private Idiom idiomAt(Tokens t, int i) {
        Idiom[] candidates = idiomsByFirstWord.get(t.lower[i]);
        if (candidates == null) {
            return null;
        }
        outer:
        for (Idiom idiom : candidates) {
            String[] tokens = idiom.tokens();
            if (i + tokens.length > t.size) {
                continue;
            }
            for (int k = 1; k < tokens.length; k++) {
                if (!tokens[k].equals(t.lower[i + k])) {
                    continue outer;
                }
            }
            return idiom;
        }
        return null;
    }

    private double valence(Tokens t, int i, double base, boolean isIdiom, boolean capDiff) {
        String[] w = t.lower;
        // Negation and boosters reach back at most three words, and never across a clause or
        // sentence boundary ("... got nothing. Very disappointed" is not a negated disappointment).
        int floor = i;
        while (floor > 0 && floor > i - 3 && !t.clauseEnd[floor - 1]) {
            floor--;
        }
        double valence = base;
        if (!isIdiom && w[i].equals("no") && i + 1 < t.size && !t.clauseEnd[i] && words.containsKey(w[i + 1])) {
            valence = 0.0; // "no" qualifying the next word, not a sentiment of its own
        }
        if ((i - 1 >= floor && w[i - 1].equals("no"))
                || (i - 2 >= floor && w[i - 2].equals("no"))
                || (i - 3 >= floor && w[i - 3].equals("no") && (w[i - 1].equals("or") || w[i - 1].equals("nor")))) {
            valence = base * N_SCALAR;
        }
        if (t.upper[i] && capDiff) {
            valence += valence > 0 ? C_INCR : -C_INCR;
        }
        for (int start = 0; start < 3; start++) {
            int j = i - (start + 1);
            if (j < floor) {
                break;
            }
            boolean pretty = j == i - 1 && intensifyingPretty(t, j);
            if (words.containsKey(w[j]) && !pretty) {
                continue;
            }
            double s = pretty ? (valence < 0 ? B_DECR : B_INCR) : scalar(t, j, valence, capDiff);
            if (start == 1) {
                s *= 0.95;
            } else if (start == 2) {
                s *= 0.9;
            }
            valence += s;
            valence = negationCheck(w, valence, start, i);
        }
        if (i - 2 >= floor && w[i - 1].equals("least") && !w[i - 2].equals("at") && !w[i - 2].equals("very")) {
            valence *= N_SCALAR;
        } else if (i - 1 == floor && w[i - 1].equals("least")) {
            valence *= N_SCALAR;
        }
        return valence;
    }

    private static double scalar(Tokens t, int j, double valence, boolean capDiff) {
        Double b = BOOSTERS.get(t.lower[j]);
        if (b == null) {
            return 0.0;
        }
        double s = valence < 0 ? -b : b;
        if (t.upper[j] && capDiff) {
            s += valence > 0 ? C_INCR : -C_INCR;
        }
        return s;
    }

    private static double negationCheck(String[] w, double valence, int start, int i) {
        int j = i - (start + 1);
        if (w[j].equals("nothing") && w[j + 1].equals("short")) {
            return valence; // "nothing short of magnificent" praises
        }
        if (start == 0) {
            return negated(w[i - 1]) ? valence * N_SCALAR : valence;
        }
        if (start == 1) {
            if (w[i - 2].equals("never") && (w[i - 1].equals("so") || w[i - 1].equals("this"))) {
                return valence * 1.25;
            }
            if (w[i - 2].equals("without") && w[i - 1].equals("doubt")) {
                return valence;
            }
            return negated(w[i - 2]) ? valence * N_SCALAR : valence;
        }
        if (w[i - 3].equals("never")
                && (w[i - 2].equals("so")
                        || w[i - 2].equals("this")
                        || w[i - 1].equals("so")
                        || w[i - 1].equals("this"))) {
            return valence * 1.25;
        }
        if (w[i - 3].equals("without") && (w[i - 2].equals("doubt") || w[i - 1].equals("doubt"))) {
            return valence;
        }
        return negated(w[i - 3]) ? valence * N_SCALAR : valence;
    }

    private static boolean negated(String word) {
        return NEGATIONS.contains(word) || word.contains("n't");
    }

    /** "pretty bad", "pretty good": "pretty" before a sentiment word intensifies it, as "quite" would. */
    private boolean intensifyingPretty(Tokens t, int i) {
        return t.lower[i].equals("pretty") && i + 1 < t.size && !t.clauseEnd[i] && words.containsKey(t.lower[i + 1]);
    }

    /**
     * "holds a charge a lot better than this", "I've seen soap operas more intelligent than this
     * movie": praise in the clause before "than this" is for something else, so it counts against.
     */
    private static void comparisonCheck(Tokens t, double[] s) {
        for (int h = 1; h < t.size - 1; h++) {
            if (!t.lower[h].equals("than") || t.clauseEnd[h] || !REVIEWED_THING.contains(t.lower[h + 1])) {
                continue;
            }
            for (int i = h - 1; i >= 0 && !t.clauseEnd[i]; i--) {
                if (s[i] > 0) {
                    s[i] *= N_SCALAR;
                }
            }
        }
    }

    /**
     * "Love waiting forty minutes on hold.", "Fantastic job charging me twice.": praise in a
     * sentence whose complaint is a service idiom, with no "but" between them, is sarcasm; the
     * praise does not count.
     */
    private static void sarcasticPraiseCheck(Tokens t, double[] s, boolean[] complaint) {
        for (int from = 0; from < t.size; ) {
            int to = sentenceEndFrom(t, from);
            int praise = -1;
            for (int i = from; i <= to; i++) {
                String w = t.lower[i];
                if (w.equals("but") || w.equals("however") || w.equals("although") || w.equals("though")) {
                    praise = -1;
                } else if (PRAISE.contains(w) && s[i] > 0) {
                    praise = praise < 0 ? i : praise;
                } else if (complaint[i] && s[i] < 0 && praise >= 0) {
                    for (int k = praise; k < i; k++) {
                        if (PRAISE.contains(t.lower[k]) && s[k] > 0) {
                            s[k] = 0;
                        }
                    }
                    praise = -1;
                }
            }
            from = to + 1;
        }
    }

    /**
     * "X but Y": within one sentence, the part before "but" counts half, the part after one and a
     * half times. VADER weighs the whole text around its first "but", which in a review of several
     * sentences halves every sentence before the one that has it.
     */
    private static void butCheck(Tokens t, double[] s) {
        for (int from = 0; from < t.size; ) {
            int to = sentenceEndFrom(t, from);
            int but = -1;
            for (int i = from; i <= to; i++) {
                if (t.lower[i].equals("but") || t.lower[i].equals("however")) {
                    but = i;
                    break;
                }
            }
            if (but >= 0) {
                for (int i = from; i <= to; i++) {
                    if (i < but) {
                        s[i] *= 0.5;
                    } else if (i > but) {
                        s[i] *= 1.5;
                    }
                }
            }
            from = to + 1;
        }
    }

    /** @return the index of the last token of the sentence that starts at from */
    private static int sentenceEndFrom(Tokens t, int from) {
        int i = from;
        while (i < t.size - 1 && !t.sentenceEnd[i]) {
            i++;
        }
        return i;
    }

    /**
     * "Although X, Y" (concession first): X counts half, Y one and a half times. "Y although X"
     * (concession last): the same weights, the other way round. Within one sentence, and skipped
     * when "but" already weighted it.
     */
    private static void althoughCheck(Tokens t, double[] s) {
        for (int from = 0; from < t.size; ) {
            int to = sentenceEndFrom(t, from);
            althoughCheck(t, s, from, to);
            from = to + 1;
        }
    }

    private static void althoughCheck(Tokens t, double[] s, int from, int to) {
        int at = -1;
        for (int i = from; i <= to; i++) {
            String w = t.lower[i];
            if (w.equals("but") || w.equals("however")) {
                return;
            }
            if (at < 0 && (w.equals("although") || w.equals("though") || w.equals("despite"))) {
                at = i;
            }
        }
        if (at < 0) {
            return;
        }
        int clauseEnd = -1;
        for (int i = at; i < to; i++) {
            if (t.clauseEnd[i]) {
                clauseEnd = i;
                break;
            }
        }
        boolean concessionFirst = clauseEnd >= 0 && (at == from || t.clauseEnd[at - 1]);
        for (int i = from; i <= to; i++) {
            boolean inConcession = concessionFirst ? i >= at && i <= clauseEnd : i >= at;
            s[i] *= inConcession ? 0.5 : 1.5;
        }
    }

    /**
     * "Great, another fee." / "Oh wonderful, the app crashed again.": positive interjections
     * that open a sentence or clause, set off by a comma, are sarcasm when the rest of the text
     * is negative; then they do not count. Each opener is judged against everything that is not
     * itself such an interjection, so "Great, a fee. Brilliant, my card is blocked." is negative.
     * ("Great, all sorted now." keeps it.)
     */
    private static void sarcasticInterjectionCheck(Tokens t, double[] s) {
        double rest = 0;
        boolean any = false;
        int next = 0; // the next index that may be an interjection
        for (int i = 0; i < t.size; i++) {
            int lead = i >= next ? interjectionAt(t, i) : -1;
            if (lead >= 0 && s[lead] > 0) {
                any = true;
                for (int k = i; k < lead; k++) {
                    rest += s[k];
                }
                next = lead + 1;
                i = lead;
            } else {
                rest += s[i];
            }
        }
        if (!any || rest >= 0) {
            return;
        }
        for (int i = 0; i < t.size; i++) {
            int lead = interjectionAt(t, i);
            if (lead >= 0 && s[lead] > 0) {
                s[lead] = 0;
                i = lead;
            }
        }
    }

    /** @return the index of the interjection word if a one-word clause ("Great,", "Oh great,") opens at i, else -1 */
    private static int interjectionAt(Tokens t, int i) {
        boolean opens = i == 0 || t.clauseEnd[i - 1];
        if (!opens || i >= t.size - 1) {
            return -1;
        }
        if (t.clauseEnd[i]) {
            return i;
        }
        String w = t.lower[i];
        if (i + 1 < t.size - 1 && t.clauseEnd[i + 1] && (w.equals("oh") || w.equals("well") || w.equals("just"))) {
            return i + 1;
        }
        return -1;
    }

    private static double punctuationEmphasis(Tokens t) {
        double amplifier = Math.min(t.exclamations, 4) * 0.292;
        if (t.questions > 1) {
            amplifier += t.questions <= 3 ? t.questions * 0.18 : 0.96;
        }
        return amplifier;
    }

    private static Map<String, Double> boosters() {
        Map<String, Double> m = new HashMap<>();
        for (String w :
                ("absolutely amazingly awfully completely considerable considerably decidedly deeply effing enormous enormously "
                                + "entirely especially exceptional exceptionally extreme extremely fabulously flipping flippin frackin fracking fricking "
                                + "frickin frigging friggin fully fuckin fucking fuggin fugging greatly hella highly hugely incredible incredibly intensely "
                                + "major majorly more most particularly purely quite really remarkably so substantially thoroughly total totally "
                                + "tremendous tremendously uber unbelievably unusually utter utterly very")
                        .split(" ")) {
            m.put(w, B_INCR);
        }
        CERTAINTY.forEach(w -> m.put(w, B_INCR));
        for (String w :
                "almost barely hardly kinda kindof kind-of less little marginal marginally occasional occasionally partly scarce scarcely slight slightly somewhat sorta sortof sort-of"
                        .split(" ")) {
            m.put(w, B_DECR);
        }
        return Map.copyOf(m);
    }

    /** A text split VADER's way: on white space, edge punctuation stripped from words, emoticons and emoji kept. */
    static final class Tokens {
        String[] lower = new String[16];
        boolean[] upper = new boolean[16];
        boolean[] clauseEnd = new boolean[16];
        /** A sentence ends after this token ('.', '!', '?'): "but" and "although" weigh within one sentence. */
        boolean[] sentenceEnd = new boolean[16];

        int size;
        int upperCount;
        int wordCount;
        int exclamations;
        int questions;

        static Tokens of(CharSequence text) {
            Tokens t = new Tokens();
            int len = text.length();
            int i = 0;
            while (i < len) {
                while (i < len && Character.isWhitespace(text.charAt(i))) {
                    i++;
                }
                int start = i;
                while (i < len && !Character.isWhitespace(text.charAt(i))) {
                    char c = text.charAt(i);
                    if (c == '!') {
                        t.exclamations++;
                    } else if (c == '?') {
                        t.questions++;
                    }
                    i++;
                }
                if (i > start) {
                    t.addRaw(text, start, i);
                }
            }
            return t;
        }

        /** One white-space-separated token: emoji become tokens of their own, the rest is one word. */
        private void addRaw(CharSequence text, int start, int end) {
            int segment = start;
            int i = start;
            while (i < end) {
                int cp = Character.codePointAt(text, i);
                int width = Character.charCount(cp);
                if (isEmoji(cp)) {
                    if (i > segment) {
                        addWord(text, segment, i);
                    }
                    add(new String(Character.toChars(cp)), false, false, false);
                    segment = i + width;
                } else if (cp == 0xFE0F || cp == 0x200D) {
                    if (i > segment) {
                        addWord(text, segment, i);
                    }
                    segment = i + width;
                }
                i += width;
            }
            if (end > segment) {
                addWord(text, segment, end);
            }
        }

        private void addWord(CharSequence text, int start, int end) {
            char last = text.charAt(end - 1);
            boolean endsSentence = last == '.' || last == '!' || last == '?' || last == '\u2026';
            boolean endsClause = endsSentence || last == ',' || last == ';' || last == ':';
            int s = start;
            int e = end;
            while (s < e && isPunctuation(text.charAt(s))) {
                s++;
            }
            while (e > s && isPunctuation(text.charAt(e - 1))) {
                e--;
            }
            // VADER: keep the token as it is when stripping would leave two characters or fewer (":)", ":-(").
            if (e - s <= 2) {
                s = start;
                e = end;
            }
            // One-letter words ("a", "I") are dropped as in VADER; one digit is kept, for ratings ("1 star").
            if (e - s < 1 || (e - s == 1 && !Character.isDigit(text.charAt(s)))) {
                if (size > 0 && endsClause) {
                    clauseEnd[size - 1] = true;
                    sentenceEnd[size - 1] |= endsSentence;
                }
                return;
            }
            boolean hasLetter = false;
            boolean allUpper = true;
            StringBuilder b = null;
            for (int k = s; k < e; k++) {
                char c = text.charAt(k);
                if (Character.isLetter(c)) {
                    hasLetter = true;
                    if (Character.isLowerCase(c)) {
                        allUpper = false;
                    }
                }
                char l = c == '\u2019' ? '\'' : Character.toLowerCase(c);
                if (l != c && b == null) {
                    b = new StringBuilder(e - s);
                    b.append(text, s, k);
                }
                if (b != null) {
                    b.append(l);
                }
            }
            String word = b != null ? b.toString() : text.subSequence(s, e).toString();
            add(word, hasLetter && allUpper, endsClause, hasLetter);
            sentenceEnd[size - 1] = endsSentence;
        }

        private void add(String word, boolean isUpper, boolean endsClause, boolean isWord) {
            if (size == lower.length) {
                lower = Arrays.copyOf(lower, size * 2);
                upper = Arrays.copyOf(upper, size * 2);
                clauseEnd = Arrays.copyOf(clauseEnd, size * 2);
                sentenceEnd = Arrays.copyOf(sentenceEnd, size * 2);
            }
            lower[size] = word;
            upper[size] = isUpper;
            clauseEnd[size] = endsClause;
            sentenceEnd[size] = false;
            size++;
            if (isWord) {
                wordCount++;
                if (isUpper) {
                    upperCount++;
                }
            }
        }

        private static boolean isPunctuation(char c) {
            return (c >= '!' && c <= '/')
                    || (c >= ':' && c <= '@')
                    || (c >= '[' && c <= '`')
                    || (c >= '{' && c <= '~')
                    || c == '\u2019'
                    || c == '\u2018'
                    || c == '\u201C'
                    || c == '\u201D'
                    || c == '\u2026';
        }

        private static boolean isEmoji(int cp) {
            return (cp >= 0x1F300 && cp <= 0x1FAFF) || (cp >= 0x2600 && cp <= 0x27BF) || cp == 0x2B50 || cp == 0x2B55;
        }
    }
}
