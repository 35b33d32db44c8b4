// Adds the original VADER's compound score (npm vader-sentiment 1.1.3, the vaderSentiment-js
// port) to labelled sentence files, so the accuracy test compares our scorer with VADER on the
// same sentences. Usage: node vader-column.js <path to vader-sentiment> <out dir> <in files...>
// An input line is "label<TAB>text" (service sets) or a UCI JSON fixture.
const fs = require('fs');
const path = require('path');
const vader = require(path.resolve(process.argv[2], 'build/vaderSentiment.bundle.js'));
const outDir = process.argv[3];
const score = (t) => vader.SentimentIntensityAnalyzer.polarity_scores(t).compound.toFixed(4);
for (const file of process.argv.slice(4)) {
  const base = path.basename(file).replace(/\.(json|tsv)$/, '');
  if (file.endsWith('.json')) {
    const rows = JSON.parse(fs.readFileSync(file, 'utf8'));
    const halves = {dev: [], holdout: []};
    rows.forEach((r, i) => {
      const text = r.text.replace(/\s+/g, ' ').trim();
      if (!text) return;
      const label = r.class === 1 ? 'positive' : 'negative';
      // Every second sentence is held out: never looked at while tuning the scorer.
      halves[i % 2 === 0 ? 'dev' : 'holdout'].push(`${label}\t${score(text)}\t${text}`);
    });
    for (const [half, lines] of Object.entries(halves)) {
      const header = [
        `# UCI Sentiment Labelled Sentences (Kotzias, Denil, de Freitas, Smyth, KDD 2015), ${base}, CC BY 4.0:`,
        '# https://archive.ics.uci.edu/dataset/331/sentiment+labelled+sentences (as shipped in the npm package sentiment 5.0.2).',
        half === 'dev'
          ? '# Dev half (even rows): may be looked at while tuning the scorer.'
          : '# Held-out half (odd rows): never looked at while tuning the scorer.',
        '# label<TAB>VADER compound (npm vader-sentiment 1.1.3)<TAB>text',
      ];
      fs.writeFileSync(path.join(outDir, `uci-${base}-${half}.tsv`), header.concat(lines).join('\n') + '\n');
    }
  } else {
    const out = fs.readFileSync(file, 'utf8').split('\n').map((line) => {
      if (!line.trim() || line.startsWith('#')) return line;
      const parts = line.split('\t');
      const text = parts[parts.length - 1];
      return `${parts[0]}\t${score(text)}\t${text}`;
    });
    fs.writeFileSync(path.join(outDir, path.basename(file)), out.join('\n'));
  }
}
